package dev.retina.schemas.registry;

import java.util.Map;

import dev.retina.schemas.AvroTrust;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serde} for a generated Avro class in the Confluent wire format: {@link AvroSerializer} and
 * {@link AvroDeserializer} sharing one {@link SchemaRegistryClient}.
 *
 * <p>Two ways to set it up: {@code new AvroSerde<>(ImageRecord.class)} then {@link #configure(Map, boolean)} with
 * {@code schema.registry.url} and friends (see {@link AvroSerdeConfig}) — as Kafka Streams does for default serdes;
 * or {@code new AvroSerde<>(ImageRecord.class, client, false)}, ready at once. Calling {@code configure} on the
 * second kind keeps its client and only applies {@code auto.register.schemas} and {@code isKey}.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    static {
        AvroTrust.ensureTrusted();
    }

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;
    private final boolean clientGiven;

    /** A serde that needs {@link #configure(Map, boolean)} before use. */
    public AvroSerde(Class<T> type) {
        this.serializer = new AvroSerializer<>();
        this.deserializer = new AvroDeserializer<>(type);
        this.clientGiven = false;
    }

    /** A ready-to-use serde for keys ({@code isKey}) or values, registering schemas automatically. */
    public AvroSerde(Class<T> type, SchemaRegistryClient client, boolean isKey) {
        this.serializer = new AvroSerializer<>(client, isKey);
        this.deserializer = new AvroDeserializer<>(type, client, isKey);
        this.clientGiven = true;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (clientGiven) {
            serializer.configure(configs, isKey);
            return;
        }
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        SchemaRegistryClient client = new SchemaRegistryClient(config.registryConfig());
        serializer.configureWith(client, config.autoRegisterSchemas(), isKey);
        deserializer.configureWith(client);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
