package dev.retina.streams.errors;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.OriginalHeader;
import dev.retina.schemas.registry.AvroSerializer;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Builds {@link DeadLetter} records for the dead-letter topic and serializes them (Confluent-framed Avro, subject
 * {@code <dlq topic>-value}). The dead-letter record is keyed with the failed record's original key bytes, so a
 * replay tool can put it back on the input topic under the same key and in the same partition.
 *
 * <p>Kafka Streams creates the exception handlers by class name and configures them with the Streams
 * configuration; {@link #fromConfig(Map)} reads {@value #DLQ_TOPIC_CONFIG}, {@value #INSTANCE_ID_CONFIG} and the
 * schema registry settings from that map. Thread-safe.
 */
public final class DeadLetterWriter {

    /** Streams configuration key naming the dead-letter topic (set from {@code dlq.topic}). */
    public static final String DLQ_TOPIC_CONFIG = "retina.dlq.topic";
    /** Streams configuration key naming this instance (set from {@code instance.id}). */
    public static final String INSTANCE_ID_CONFIG = "retina.instance.id";
    /** Messages longer than this are cut (with a marker): a dead letter must stay well under the record limit. */
    static final int MAX_MESSAGE_CHARS = 4000;

    private final String topic;
    private final String instanceId;
    private final Serializer<DeadLetter> serializer;
    private final Clock clock;

    public DeadLetterWriter(String topic, String instanceId, Serializer<DeadLetter> serializer, Clock clock) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.instanceId = instanceId;
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A writer configured from a Kafka Streams configuration map.
     *
     * @throws ConfigException if the dead-letter topic is not set
     */
    public static DeadLetterWriter fromConfig(Map<String, ?> configs) {
        Object topic = configs.get(DLQ_TOPIC_CONFIG);
        if (topic == null || topic.toString().isBlank()) {
            throw new ConfigException(DLQ_TOPIC_CONFIG, topic, "expected the name of the dead-letter topic");
        }
        Object instance = configs.get(INSTANCE_ID_CONFIG);
        AvroSerializer<DeadLetter> serializer = new AvroSerializer<>();
        serializer.configure(configs, false);
        return new DeadLetterWriter(topic.toString(), instance == null ? null : instance.toString(), serializer,
            Clock.systemUTC());
    }

    public String topic() {
        return topic;
    }

    /** The dead letter describing a failure of {@code original}. */
    public DeadLetter deadLetter(ErrorReason reason, Stage stage, String message, String exceptionClass,
                                 FailedRecord original) {
        List<OriginalHeader> headers = new ArrayList<>();
        for (Header h : original.headers()) {
            headers.add(new OriginalHeader(h.key(), h.value() == null ? null : ByteBuffer.wrap(h.value().clone())));
        }
        return DeadLetter.newBuilder()
            .setReason(reason)
            .setStage(stage.label())
            .setMessage(cut(message == null || message.isBlank() ? "(no message)" : message))
            .setOriginalTopic(original.topic())
            .setOriginalPartition(original.partition())
            .setOriginalOffset(original.offset())
            .setOriginalKey(original.key() == null ? null : ByteBuffer.wrap(original.key().clone()))
            .setOriginalValue(original.value() == null ? null : ByteBuffer.wrap(original.value().clone()))
            .setOriginalTimestamp(Instant.ofEpochMilli(Math.max(0, original.timestamp())))
            .setOriginalHeaders(headers)
            .setFailedAt(clock.instant())
            .setInstanceId(instanceId)
            .setExceptionClass(exceptionClass)
            .build();
    }

    /**
     * The serialized record for the dead-letter topic, keyed by the original key bytes.
     *
     * @throws org.apache.kafka.common.errors.SerializationException if the registry cannot be reached
     */
    public ProducerRecord<byte[], byte[]> record(DeadLetter letter, byte[] originalKey) {
        byte[] value = serializer.serialize(topic, letter);
        return new ProducerRecord<>(topic, null, originalKey == null ? null : originalKey.clone(), value);
    }

    private static String cut(String message) {
        if (message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        return message.substring(0, MAX_MESSAGE_CHARS) + "... (" + (message.length() - MAX_MESSAGE_CHARS)
            + " more characters)";
    }
}
