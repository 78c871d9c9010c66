package dev.retina.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.registry.CompatibilityLevel;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract conventions hold for every field of every schema, nested records included. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ContractStyleTest {

    @BeforeAll
    static void trust() {
        AvroTrust.ensureTrusted();
    }

    private static List<Schema> allRecords() {
        List<Schema> records = new ArrayList<>();
        Set<Schema> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SpecificRecord sample : SampleRecords.all().values()) {
            collect(sample.getSchema(), records, seen);
        }
        return records;
    }

    private static void collect(Schema schema, List<Schema> records, Set<Schema> seen) {
        if (!seen.add(schema)) {
            return;
        }
        switch (schema.getType()) {
            case RECORD -> {
                records.add(schema);
                schema.getFields().forEach(f -> collect(f.schema(), records, seen));
            }
            case ARRAY -> collect(schema.getElementType(), records, seen);
            case MAP -> collect(schema.getValueType(), records, seen);
            case UNION -> schema.getTypes().forEach(t -> collect(t, records, seen));
            default -> {
            }
        }
    }

    @Test
    void everyRecordAndFieldIsDocumentedAndCamelCase() {
        List<Schema> records = allRecords();
        assertThat(records).hasSizeGreaterThan(15);
        for (Schema record : records) {
            assertThat(record.getNamespace()).isEqualTo(AvroTrust.GENERATED_PACKAGE);
            assertThat(record.getDoc()).as("doc of " + record.getName()).isNotBlank();
            for (Schema.Field field : record.getFields()) {
                String where = record.getName() + "." + field.name();
                assertThat(field.doc()).as("doc of " + where).isNotBlank();
                assertThat(field.name()).as("camelCase " + where).matches("[a-z][a-zA-Z0-9]*");
            }
        }
    }

    @Test
    void optionalFieldsAreNullFirstUnionsDefaultingToNull() {
        for (Schema record : allRecords()) {
            for (Schema.Field field : record.getFields()) {
                if (field.schema().getType() == Schema.Type.UNION) {
                    String where = record.getName() + "." + field.name();
                    assertThat(field.schema().getTypes()).as(where).hasSize(2);
                    assertThat(field.schema().getTypes().get(0).getType()).as(where).isEqualTo(Schema.Type.NULL);
                    assertThat(field.hasDefaultValue()).as(where).isTrue();
                    assertThat(field.defaultVal()).as(where).isEqualTo(JsonProperties.NULL_VALUE);
                }
            }
        }
    }

    @Test
    void instantsAreTimestampMillis() {
        int timestamps = 0;
        for (Schema record : allRecords()) {
            for (Schema.Field field : record.getFields()) {
                if (field.name().endsWith("At") || field.name().endsWith("Timestamp")
                    || field.name().startsWith("window")) {
                    assertThat(field.schema().getLogicalType()).as(record.getName() + "." + field.name())
                        .isEqualTo(LogicalTypes.timestampMillis());
                    timestamps++;
                }
            }
        }
        assertThat(timestamps).as("timestamp fields found").isGreaterThanOrEqualTo(7);
    }

    @Test
    void errorReasonIsFrozenAndDefaultsToUnknown() {
        Schema reason = ErrorReason.getClassSchema();
        assertThat(reason.getEnumSymbols()).containsExactly("DESERIALIZATION", "UNSUPPORTED_FORMAT", "CORRUPT_IMAGE",
            "IMAGE_TOO_LARGE", "PREPROCESSING", "INFERENCE", "TIMEOUT", "MODEL_UNAVAILABLE", "UNKNOWN");
        assertThat(reason.getEnumDefault()).isEqualTo("UNKNOWN");
    }

    @Test
    void aReasonAddedLaterReadsAsUnknownToday() throws Exception {
        // A future DeadLetter schema with one more ErrorReason symbol.
        String json = DeadLetter.getClassSchema().toString().replace("\"MODEL_UNAVAILABLE\",\"UNKNOWN\"",
            "\"MODEL_UNAVAILABLE\",\"UNKNOWN\",\"QUOTA_EXCEEDED\"");
        Schema future = new Schema.Parser().parse(json);
        assertThat(future.getField("reason").schema().getEnumSymbols()).contains("QUOTA_EXCEEDED");
        assertThat(CompatibilityLevel.FULL.check(future, List.of(DeadLetter.getClassSchema()))).isEmpty();

        GenericRecord record = toGeneric(SampleRecords.deadLetter(), future);
        record.put("reason", new GenericData.EnumSymbol(future.getField("reason").schema(), "QUOTA_EXCEEDED"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(future).write(record, encoder);
        encoder.flush();

        DeadLetter read = new SpecificDatumReader<DeadLetter>(future, DeadLetter.getClassSchema(),
            SpecificData.getForClass(DeadLetter.class))
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertThat(read.getReason()).isEqualTo(ErrorReason.UNKNOWN);
        assertThat(read.getOriginalValue()).isEqualTo(SampleRecords.deadLetter().getOriginalValue());
    }

    /** Re-reads a specific record as a generic record of a compatible schema (through its binary form). */
    private static GenericRecord toGeneric(SpecificRecord record, Schema as) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<SpecificRecord>(record.getSchema(),
            SpecificData.getForClass(record.getClass())).write(record, encoder);
        encoder.flush();
        return new org.apache.avro.generic.GenericDatumReader<GenericRecord>(record.getSchema(), as)
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }
}
