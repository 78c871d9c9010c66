package dev.retina.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.avro.Lineage;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every kind of bad input gives a {@link WireFormatException} with its own reason, never a raw exception. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireFormatExceptionTest {

    private EmbeddedSchemaRegistry registry;
    private SchemaRegistryClient client;
    private AvroDeserializer<Lineage> lineage;
    private int lineageId;

    @BeforeEach
    void start() {
        registry = EmbeddedSchemaRegistry.inMemory(0);
        client = new SchemaRegistryClient(SchemaRegistryConfig.builder().setUrls(registry.url())
            .optMaxRetries(0).build());
        lineageId = client.register("lineage-value", Lineage.getClassSchema());
        lineage = new AvroDeserializer<>(Lineage.class, client, false);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private WireFormatException failure(byte[] bytes) {
        Throwable thrown = catchThrowable(() -> lineage.deserialize("lineage", bytes));
        assertThat(thrown).isInstanceOf(WireFormatException.class);
        return (WireFormatException) thrown;
    }

    @Test
    void validFrameDecodes() {
        assertThat(lineageId).isEqualTo(1);
        assertThat(lineage.deserialize("lineage", hex("00 00000001 0274 02 04"))).isEqualTo(new Lineage("t", 1, 2L));
    }

    @Test
    void empty() {
        WireFormatException e = failure(new byte[0]);
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.EMPTY);
        assertThat(e.getMessage()).contains("found 0 bytes");
        assertThat(e.schemaId()).isEqualTo(-1);
    }

    @Test
    void oneByte() {
        WireFormatException e = failure(hex("00"));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.TOO_SHORT);
        assertThat(e.getMessage()).contains("at least 5 bytes").contains("found 1 bytes");
    }

    @Test
    void fourBytes() {
        assertThat(failure(hex("00 000000")).reason()).isEqualTo(WireFormatException.Reason.TOO_SHORT);
    }

    @Test
    void wrongMagicByte() {
        WireFormatException e = failure(hex("01 00000001 0274 02 04"));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.BAD_MAGIC);
        assertThat(e.getMessage()).contains("expected magic byte 0x00, found 0x01");
    }

    @Test
    void plainTextIsBadMagic() {
        assertThat(failure("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).reason())
            .isEqualTo(WireFormatException.Reason.BAD_MAGIC);
    }

    @Test
    void unknownSchemaId() {
        WireFormatException e = failure(hex("00 000003e7 0274 02 04"));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.UNKNOWN_SCHEMA_ID);
        assertThat(e.schemaId()).isEqualTo(999);
        assertThat(e).hasCauseInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void truncatedBody() {
        WireFormatException e = failure(hex("00 00000001 0274 02"));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.TRUNCATED);
        assertThat(e.schemaId()).isEqualTo(1);
    }

    @Test
    void headerWithoutBody() {
        assertThat(failure(hex("00 00000001")).reason()).isEqualTo(WireFormatException.Reason.TRUNCATED);
    }

    @Test
    void stringLengthBeyondTheBody() {
        // String length 1000 (zigzag varint d0 0f) but 3 bytes follow.
        assertThat(failure(hex("00 00000001 d00f 74 02 04")).reason())
            .isEqualTo(WireFormatException.Reason.TRUNCATED);
    }

    @Test
    void negativeLengthInsideTheBody() {
        // String length -1 (zigzag 01).
        WireFormatException e = failure(hex("00 00000001 01 74 02 04"));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.MALFORMED_BODY);
        assertThat(e.getMessage()).contains("negative");
    }

    @Test
    void garbageBodyWithAnImpossibleLength() {
        // String length 2^31-1: refused by Avro's limits, never allocated.
        assertThat(failure(hex("00 00000001 feffffff0f 02 04")).reason())
            .isEqualTo(WireFormatException.Reason.MALFORMED_BODY);
    }

    @Test
    void garbageUnionBranch() {
        int id = client.register("images-value", ImageRecord.getClassSchema());
        AvroDeserializer<ImageRecord> images = new AvroDeserializer<>(ImageRecord.class, client, false);
        // imageId "a", source "b", capturedAt 0, contentType "c", data empty, label union branch 5 (of 2).
        byte[] bytes = hex(String.format("00 %08x 0261 0262 00 0263 00 0a 00", id));
        Throwable thrown = catchThrowable(() -> images.deserialize("images", bytes));
        assertThat(thrown).isInstanceOf(WireFormatException.class);
        assertThat(((WireFormatException) thrown).reason()).isEqualTo(WireFormatException.Reason.MALFORMED_BODY);
        assertThat(thrown).hasMessageContaining("Union branch index");
    }

    @Test
    void trailingGarbage() {
        WireFormatException e = failure(hex("00 00000001 0274 02 04 aabb"));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.TRAILING_BYTES);
        assertThat(e.getMessage()).contains("found 2 more");
    }

    @Test
    void writerSchemaIncompatibleWithTheReader() throws Exception {
        // Same record name, but 'partition' is a string: cannot be read as Lineage.
        Schema other = SchemaBuilder.record("Lineage").namespace("dev.retina.schemas.avro").fields()
            .requiredString("topic").requiredString("partition").requiredLong("offset").endRecord();
        int id = client.register("other-value", other);
        GenericRecord record = new GenericData.Record(other);
        record.put("topic", "t");
        record.put("partition", "p");
        record.put("offset", 1L);
        byte[] bytes = AvroSerdeTest.frame(id, other, record);
        WireFormatException e = failure(bytes);
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.INCOMPATIBLE_WRITER);
        assertThat(e.getMessage()).contains("partition").contains(Lineage.class.getName());
        assertThat(e.schemaId()).isEqualTo(id);
        // The verdict is cached per id and stays the same.
        assertThat(failure(bytes).reason()).isEqualTo(WireFormatException.Reason.INCOMPATIBLE_WRITER);
    }

    @Test
    void writerSchemaThatIsNotARecordAtAll() throws Exception {
        int id = client.register("strings-value", Schema.create(Schema.Type.STRING));
        byte[] bytes = AvroSerdeTest.frame(id, Schema.create(Schema.Type.STRING), "hello");
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(String.format("00%08x0a68656c6c6f", id));
        assertThat(failure(bytes).reason()).isEqualTo(WireFormatException.Reason.INCOMPATIBLE_WRITER);
    }

    @Test
    void writerSchemaOfAnotherSchemaType() throws Exception {
        try (StubHttpServer stub = new StubHttpServer()) {
            stub.answer(200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
            AvroDeserializer<Lineage> reader = new AvroDeserializer<>(Lineage.class,
                SchemaRegistryClient.forUrl(stub.url()), false);
            Throwable thrown = catchThrowable(() -> reader.deserialize("t", hex("00 00000007 0274 02 04")));
            assertThat(thrown).isInstanceOf(WireFormatException.class).hasMessageContaining("PROTOBUF");
            assertThat(((WireFormatException) thrown).reason())
                .isEqualTo(WireFormatException.Reason.INCOMPATIBLE_WRITER);
        }
    }

    @Test
    void seededRandomBodiesNeverEscapeAsRawExceptions() {
        Random random = new Random(20250102L);
        int decoded = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] body = new byte[random.nextInt(24)];
            random.nextBytes(body);
            byte[] bytes = new byte[5 + body.length];
            WireFormat.writeHeader(bytes, lineageId);
            System.arraycopy(body, 0, bytes, 5, body.length);
            try {
                lineage.deserialize("lineage", bytes);
                decoded++;
            } catch (WireFormatException e) {
                assertThat(e.reason()).isIn(WireFormatException.Reason.TRUNCATED,
                    WireFormatException.Reason.MALFORMED_BODY, WireFormatException.Reason.TRAILING_BYTES);
            }
        }
        assertThat(decoded).as("some random bodies happen to be valid Lineage records").isLessThan(2000);
    }

    @Test
    void wireFormatExceptionIsAKafkaSerializationException() {
        assertThatThrownBy(() -> lineage.deserialize("lineage", new byte[0]))
            .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
    }
}
