package dev.retina.schemas.registry;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

import dev.retina.schemas.AvroTrust;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format bytes ({@link WireFormat}) into a SpecificRecord class. The writer schema is fetched
 * by the id in the header and resolved against the reader class's schema, so records written with an older or newer
 * compatible schema decode into the current class (Avro schema resolution). Null bytes give null (tombstones).
 *
 * <p>Bytes that cannot be a record of the reader type raise a {@link WireFormatException} with a specific
 * {@link WireFormatException.Reason}; such records are poison and belong on a dead-letter topic. A registry that
 * cannot be reached raises a plain {@link SerializationException} with the {@link SchemaRegistryException} as
 * cause: that failure is transient and the record is fine. Thread-safe once configured.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static {
        AvroTrust.ensureTrusted();
    }

    /** How one writer schema id is read; an incompatible writer is remembered as such. */
    private record WriterReader<T>(SpecificDatumReader<T> reader, String incompatibility) {
    }

    private volatile Class<T> type;
    private volatile Schema readerSchema;
    private volatile SpecificData model;
    private volatile SchemaRegistryClient client;
    private volatile LruCache<Integer, WriterReader<T>> readers;

    /** For creation by class name: {@link #configure} needs {@code specific.avro.value.type} (or key type). */
    public AvroDeserializer() {
    }

    /** A deserializer into {@code type}; {@link #configure} supplies the registry settings. */
    public AvroDeserializer(Class<T> type) {
        setType(type);
    }

    /** A ready-to-use deserializer into {@code type}. {@code isKey} is accepted for symmetry (reads ignore it). */
    public AvroDeserializer(Class<T> type, SchemaRegistryClient client, boolean isKey) {
        setType(type);
        configureWith(Objects.requireNonNull(client, "client"));
    }

    private void setType(Class<T> readerType) {
        Objects.requireNonNull(readerType, "type");
        SpecificData data = SpecificData.getForClass(readerType);
        Schema schema = data.getSchema(readerType);
        if (schema == null || schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("Expected a generated Avro SpecificRecord class with a record schema, "
                + "found " + readerType.getName());
        }
        this.type = readerType;
        this.model = data;
        this.readerSchema = schema;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client != null) {
            return;
        }
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        if (type == null) {
            Class<?> configured = config.specificType(isKey);
            String key = isKey ? AvroSerdeConfig.SPECIFIC_KEY_TYPE : AvroSerdeConfig.SPECIFIC_VALUE_TYPE;
            if (configured == null || !SpecificRecord.class.isAssignableFrom(configured)) {
                throw new ConfigException(key, configured,
                    "expected the SpecificRecord class to deserialize into");
            }
            setType((Class<T>) configured);
        }
        configureWith(new SchemaRegistryClient(config.registryConfig()));
    }

    void configureWith(SchemaRegistryClient registryClient) {
        this.readers = new LruCache<>(registryClient.config().cacheCapacity());
        this.client = registryClient;
    }

    /** The class records are read into. */
    public Class<T> type() {
        return type;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        SchemaRegistryClient registry = client;
        if (registry == null || type == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: call configure(configs, isKey) "
                + "with " + AvroSerdeConfig.SCHEMA_REGISTRY_URL + ", or construct it with a SchemaRegistryClient");
        }
        int id = WireFormat.readSchemaId(data);
        WriterReader<T> entry = readerFor(registry, id);
        if (entry.incompatibility() != null) {
            throw new WireFormatException(WireFormatException.Reason.INCOMPATIBLE_WRITER, id,
                "writer schema " + id + " cannot be read as " + type.getName() + ": " + entry.incompatibility());
        }
        BinaryDecoder decoder = DecoderFactory.get()
            .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
        T value;
        try {
            value = entry.reader().read(null, decoder);
        } catch (EOFException e) {
            throw new WireFormatException(WireFormatException.Reason.TRUNCATED, id, "the " + (data.length - 5)
                + "-byte Avro body ends before a complete " + type.getSimpleName() + " (writer schema " + id + ")", e);
        } catch (IOException | RuntimeException e) {
            // Avro reports corrupt bodies with many unchecked types (AvroRuntimeException, index out of bounds,
            // negative array size, ...); all mean the same thing to a caller.
            throw new WireFormatException(WireFormatException.Reason.MALFORMED_BODY, id, "the " + (data.length - 5)
                + "-byte Avro body is not a valid " + type.getSimpleName() + " (writer schema " + id + "): " + e, e);
        }
        int left = remaining(decoder);
        if (left != 0) {
            throw new WireFormatException(WireFormatException.Reason.TRAILING_BYTES, id,
                "expected the Avro body to end after the record, found " + left + " more of "
                    + (data.length - 5) + " body bytes (writer schema " + id + ")");
        }
        return value;
    }

    private static int remaining(BinaryDecoder decoder) {
        try {
            return decoder.isEnd() ? 0 : Math.max(1, decoder.inputStream().available());
        } catch (IOException e) {
            return 1;
        }
    }

    private WriterReader<T> readerFor(SchemaRegistryClient registry, int id) {
        LruCache<Integer, WriterReader<T>> cache = readers;
        WriterReader<T> entry = cache.get(id);
        if (entry != null) {
            return entry;
        }
        Schema writer;
        try {
            writer = registry.getById(id);
        } catch (SchemaNotFoundException e) {
            throw new WireFormatException(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, id,
                "the registry has no schema with id " + id + ": " + e.getMessage(), e);
        } catch (SchemaRegistryException e) {
            if (e.reason() == SchemaRegistryException.Reason.UNSUPPORTED_SCHEMA_TYPE) {
                // Written by a Protobuf or JSON Schema serializer: poison for an Avro reader.
                throw new WireFormatException(WireFormatException.Reason.INCOMPATIBLE_WRITER, id,
                    "writer schema " + id + " is not an Avro schema: " + e.getMessage(), e);
            }
            throw new SerializationException("Cannot fetch writer schema " + id + " from the schema registry: "
                + e.getMessage(), e);
        }
        SchemaCompatibility.SchemaPairCompatibility pair =
            SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            entry = new WriterReader<>(new SpecificDatumReader<>(writer, readerSchema, model), null);
        } else {
            entry = new WriterReader<>(null, String.join("; ", CompatibilityLevel.describe(readerSchema, pair)));
        }
        cache.put(id, entry);
        return entry;
    }
}
