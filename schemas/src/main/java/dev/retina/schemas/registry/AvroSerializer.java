package dev.retina.schemas.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import dev.retina.schemas.AvroTrust;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes SpecificRecords in the Confluent wire format ({@link WireFormat}): the record's schema is registered (or,
 * with {@code auto.register.schemas=false}, looked up) under the subject {@code <topic>-value} or
 * {@code <topic>-key}, and its id precedes the Avro binary body. A null record is written as null (a tombstone).
 *
 * <p>Registry failures surface as {@link SerializationException} with the {@link SchemaRegistryException} as cause;
 * a record that does not match its own schema (e.g. a required field left null) as {@link SerializationException}
 * naming the record class and the problem. Thread-safe once configured.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static {
        AvroTrust.ensureTrusted();
    }

    private volatile SchemaRegistryClient client;
    private volatile boolean isKey;
    private volatile boolean autoRegister = true;
    private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
    /** Size of the last record written: records of one topic are similar, so the buffer rarely has to grow. */
    private volatile int sizeHint = 256;

    /** For creation by class name; {@link #configure} must be called before use. */
    public AvroSerializer() {
    }

    /** A ready-to-use serializer that registers schemas automatically. */
    public AvroSerializer(SchemaRegistryClient client, boolean isKey) {
        this(client, isKey, true);
    }

    /** A ready-to-use serializer; with {@code autoRegister} false the schema must already be registered. */
    public AvroSerializer(SchemaRegistryClient client, boolean isKey, boolean autoRegister) {
        this.client = Objects.requireNonNull(client, "client");
        this.isKey = isKey;
        this.autoRegister = autoRegister;
    }

    /**
     * Reads {@code auto.register.schemas} and, unless a client was given to the constructor, the registry settings
     * ({@link AvroSerdeConfig}).
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client != null) {
            configureWith(client, autoRegisterOf(configs, autoRegister), isKey);
        } else {
            AvroSerdeConfig config = new AvroSerdeConfig(configs);
            configureWith(new SchemaRegistryClient(config.registryConfig()), config.autoRegisterSchemas(), isKey);
        }
    }

    void configureWith(SchemaRegistryClient registryClient, boolean register, boolean key) {
        this.client = registryClient;
        this.autoRegister = register;
        this.isKey = key;
    }

    static boolean autoRegisterOf(Map<String, ?> configs, boolean fallback) {
        Object value = configs.get(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if ("true".equalsIgnoreCase(text) || "false".equalsIgnoreCase(text)) {
            return Boolean.parseBoolean(text);
        }
        throw new org.apache.kafka.common.config.ConfigException(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, value,
            "expected true or false");
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        SchemaRegistryClient registry = client;
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure(configs, isKey) "
                + "with " + AvroSerdeConfig.SCHEMA_REGISTRY_URL + ", or construct it with a SchemaRegistryClient");
        }
        Schema schema = data.getSchema();
        String subject = TopicNameStrategy.subject(topic, isKey);
        int id;
        try {
            id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema).id();
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot get a schema id for " + schema.getFullName() + " under subject '"
                + subject + "' (auto.register.schemas=" + autoRegister + "): " + e.getMessage(), e);
        }
        SpecificDatumWriter<T> writer = writers.computeIfAbsent(schema,
            s -> new SpecificDatumWriter<>(s, SpecificData.getForClass(data.getClass())));
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, id);
        out.write(header, 0, header.length);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            throw new SerializationException("Cannot serialize " + data.getClass().getName() + " for topic '"
                + topic + "': the record does not match its schema: " + e.getMessage(), e);
        }
        byte[] bytes = out.toByteArray();
        sizeHint = Math.max(64, bytes.length + bytes.length / 8);
        return bytes;
    }
}
