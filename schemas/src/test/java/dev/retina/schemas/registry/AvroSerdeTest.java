package dev.retina.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.retina.schemas.SampleRecords;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.avro.Lineage;
import dev.retina.schemas.avro.ModelRelease;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AvroSerdeTest {

    private EmbeddedSchemaRegistry registry;
    private SchemaRegistryClient client;

    @BeforeEach
    void start() {
        registry = EmbeddedSchemaRegistry.inMemory(0);
        client = new SchemaRegistryClient(SchemaRegistryConfig.builder().setUrls(registry.url())
            .optMaxRetries(0).build());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void writesTheConfluentWireFormatByteForByte() {
        // Lineage{topic="t", partition=1, offset=2}: first schema in a fresh registry gets id 1.
        // 00 | 00 00 00 01 | 02 74 (string length 1 zigzag=2, 't') | 02 (int 1) | 04 (long 2)
        AvroSerde<Lineage> serde = new AvroSerde<>(Lineage.class, client, false);
        byte[] bytes = serde.serializer().serialize("lineage", new Lineage("t", 1, 2L));
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0000000001027402" + "04");
        assertThat(client.listSubjects()).containsExactly("lineage-value");
        assertThat(serde.deserializer().deserialize("lineage", bytes)).isEqualTo(new Lineage("t", 1, 2L));
    }

    @Test
    void schemaIdIsBigEndian() {
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, 0x01020304);
        assertThat(header).containsExactly(0, 1, 2, 3, 4);
        assertThat(WireFormat.readSchemaId(new byte[] {0, (byte) 0x80, 0, 0, 1})).isEqualTo(0x80000001);
    }

    @Test
    void roundTripsEveryContract() {
        roundTrip(ImageRecord.class, SampleRecords.imageRecord());
        roundTrip(ClassificationResult.class, SampleRecords.classificationResult());
        roundTrip(FeatureStats.class, SampleRecords.featureStats());
        roundTrip(DeadLetter.class, SampleRecords.deadLetter());
        roundTrip(ModelRelease.class, SampleRecords.modelRelease());
        assertThat(client.listSubjects()).containsExactlyInAnyOrder("ImageRecord-value",
            "ClassificationResult-value", "FeatureStats-value", "DeadLetter-value", "ModelRelease-value");
    }

    private <T extends SpecificRecord> void roundTrip(Class<T> type, T sample) {
        AvroSerde<T> serde = new AvroSerde<>(type, client, false);
        byte[] bytes = serde.serializer().serialize(type.getSimpleName(), sample);
        // A second client with cold caches, as in another process.
        SchemaRegistryClient cold = SchemaRegistryClient.forUrl(registry.url());
        T back = new AvroDeserializer<>(type, cold, false).deserialize(type.getSimpleName(), bytes);
        assertThat(back).isEqualTo(sample);
    }

    @Test
    void keysUseTheKeySubject() {
        AvroSerde<Lineage> keySerde = new AvroSerde<>(Lineage.class, client, true);
        keySerde.serializer().serialize("images", new Lineage("t", 0, 0L));
        assertThat(client.listSubjects()).containsExactly("images-key");
    }

    @Test
    void nullIsATombstoneBothWays() {
        AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class, client, false);
        assertThat(serde.serializer().serialize("images", null)).isNull();
        assertThat(serde.deserializer().deserialize("images", null)).isNull();
        assertThat(client.listSubjects()).isEmpty();
    }

    @Test
    void configuresFromAKafkaStyleMap() {
        AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class);
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
        config.put("bootstrap.servers", "ignored:9092");
        serde.configure(config, false);
        byte[] bytes = serde.serializer().serialize("images", SampleRecords.imageRecord());
        assertThat(serde.deserializer().deserialize("images", bytes)).isEqualTo(SampleRecords.imageRecord());

        AvroDeserializer<ImageRecord> byName = new AvroDeserializer<>();
        byName.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
            AvroSerdeConfig.SPECIFIC_VALUE_TYPE, ImageRecord.class.getName()), false);
        assertThat(byName.deserialize("images", bytes)).isEqualTo(SampleRecords.imageRecord());
    }

    @Test
    void unconfiguredOrMisconfiguredSerdesFailClearly() {
        AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class);
        assertThatThrownBy(() -> serde.serializer().serialize("images", SampleRecords.imageRecord()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("not configured");
        assertThatThrownBy(() -> serde.configure(Map.of(), false))
            .isInstanceOf(ConfigException.class).hasMessageContaining(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        assertThatThrownBy(() -> new AvroDeserializer<>().configure(
            Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url()), false))
            .isInstanceOf(ConfigException.class).hasMessageContaining(AvroSerdeConfig.SPECIFIC_VALUE_TYPE);
    }

    @Test
    void withoutAutoRegisterTheSchemaMustExist() {
        AvroSerializer<Lineage> serializer = new AvroSerializer<>(client, false, false);
        assertThatThrownBy(() -> serializer.serialize("lineage", new Lineage("t", 1, 2L)))
            .isInstanceOf(SerializationException.class)
            .hasCauseInstanceOf(SubjectNotFoundException.class)
            .hasMessageContaining("lineage-value");
        int id = client.register("lineage-value", Lineage.getClassSchema());
        byte[] bytes = serializer.serialize("lineage", new Lineage("t", 1, 2L));
        assertThat(WireFormat.readSchemaId(bytes)).isEqualTo(id);
    }

    @Test
    void serializeReportsRecordsThatBreakTheirSchema() {
        Lineage broken = new Lineage(null, 1, 2L);
        AvroSerializer<Lineage> serializer = new AvroSerializer<>(client, false);
        assertThatThrownBy(() -> serializer.serialize("lineage", broken))
            .isInstanceOf(SerializationException.class)
            .hasMessageContaining(Lineage.class.getName()).hasMessageContaining("does not match its schema");
    }

    @Test
    void readsRecordsWrittenWithAnEvolvedWriterSchema() throws Exception {
        // A newer writer adds a field with a default; the current reader skips it.
        Schema newer = SchemaBuilder.record("Lineage").namespace("dev.retina.schemas.avro").fields()
            .requiredString("topic").requiredInt("partition").requiredLong("offset")
            .name("leaderEpoch").type().intType().intDefault(-1)
            .endRecord();
        int id = client.register("lineage-value", newer);
        GenericRecord record = new GenericData.Record(newer);
        record.put("topic", "t");
        record.put("partition", 3);
        record.put("offset", 9L);
        record.put("leaderEpoch", 7);
        byte[] bytes = frame(id, newer, record);
        Lineage back = new AvroDeserializer<>(Lineage.class, client, false).deserialize("lineage", bytes);
        assertThat(back).isEqualTo(new Lineage("t", 3, 9L));
    }

    @Test
    void registryOutageIsNotReportedAsPoison() {
        SchemaRegistryClient unreachable = new SchemaRegistryClient(SchemaRegistryConfig.builder()
            .setUrls(registry.url()).optMaxRetries(0).optConnectTimeout(Duration.ofSeconds(2)).build());
        registry.close();
        byte[] bytes = {0, 0, 0, 0, 1, 2, 0x74, 2, 4};
        assertThatThrownBy(() -> new AvroDeserializer<>(Lineage.class, unreachable, false).deserialize("t", bytes))
            .isInstanceOf(SerializationException.class)
            .isNotInstanceOf(WireFormatException.class)
            .hasCauseInstanceOf(SchemaRegistryException.class);
        registry = EmbeddedSchemaRegistry.inMemory(0);
    }

    static byte[] frame(int id, Schema writer, Object datum) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, id);
        out.write(header);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<>(writer).write(datum, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
