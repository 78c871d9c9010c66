package dev.retina.streams.model;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the models topic which version this instance serves, so that {@code retina models list} can show every
 * running instance: on each swap a record {@code status:<name>:<instance id>} = {@code <version> <sha256> <epoch
 * millis>} (see {@link ModelTopic}), and a tombstone for that key on close. Sends are asynchronous; a failed
 * report is logged and never affects serving.
 */
public final class ModelStatusReporter implements ModelManager.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelStatusReporter.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final byte[] key;

    /**
     * @param clientConfig Kafka client settings (bootstrap servers, security)
     * @param topic        the models topic
     * @param modelName    the model this instance serves
     * @param instanceId   this instance's id
     */
    public ModelStatusReporter(Map<String, Object> clientConfig, String topic, String modelName, String instanceId) {
        this(new KafkaProducer<>(producerProperties(clientConfig), new ByteArraySerializer(),
            new ByteArraySerializer()), topic, modelName, instanceId);
    }

    ModelStatusReporter(Producer<byte[], byte[]> producer, String topic, String modelName, String instanceId) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.key = ModelTopic.statusKey(modelName, instanceId).getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, Object> producerProperties(Map<String, Object> base) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "retina-model-status");
        return props;
    }

    /** Reports {@code serving} as this instance's model from now on. */
    public void report(ModelIdentity serving) {
        String value = serving.version() + " " + serving.sha256() + " " + System.currentTimeMillis();
        send(value.getBytes(StandardCharsets.UTF_8), "serving " + serving);
    }

    @Override
    public void swapped(ModelIdentity previous, ModelIdentity next) {
        report(next);
    }

    private void send(byte[] value, String what) {
        producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
            if (e != null) {
                LOG.warn("Could not report {} on {}: {}", what, topic, e.toString());
            }
        });
    }

    /** Withdraws this instance's status (tombstone) and closes the producer. */
    @Override
    public void close() {
        try {
            send(null, "the stop");
            producer.flush();
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** A status record's value, parsed. */
    public record Status(String version, String sha256, long sinceMillis) {

        /** Parses {@code <version> <sha256> <epoch millis>}; empty if the value has another form. */
        public static java.util.Optional<Status> parse(byte[] value) {
            if (value == null) {
                return java.util.Optional.empty();
            }
            String[] parts = new String(value, StandardCharsets.UTF_8).trim().split(" ");
            if (parts.length != 3) {
                return java.util.Optional.empty();
            }
            try {
                return java.util.Optional.of(new Status(parts[0], parts[1], Long.parseLong(parts[2])));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        }
    }
}
