package dev.retina.cli;

import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.schemas.registry.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads FeatureStats windows from a stats topic from its beginning, through the schema registry, with
 * {@code read_committed} (the app writes them in transactions under exactly-once). All partitions are assigned
 * directly, without a consumer group, so nothing is committed and {@link #reached} can tell when the reader has
 * caught up with the end offsets taken earlier. Not thread-safe, except {@link #wakeup()}.
 */
final class FeatureStatsReader implements AutoCloseable {

    /**
     * One record of the stats topic.
     *
     * @param partition partition it came from
     * @param offset    its offset
     * @param key       its key as UTF-8 ({@code name:version@windowStart}), or null
     * @param stats     the decoded window, or null when it could not be decoded or was a tombstone
     * @param problem   why {@code stats} is null, or null when it is not
     */
    record Entry(int partition, long offset, String key, FeatureStats stats, String problem) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerde<FeatureStats> serde;
    private final List<TopicPartition> partitions;

    private FeatureStatsReader(KafkaConsumer<byte[], byte[]> consumer, AvroSerde<FeatureStats> serde,
                               List<TopicPartition> partitions) {
        this.consumer = consumer;
        this.serde = serde;
        this.partitions = partitions;
    }

    /**
     * Checks that the topic exists and positions a reader at its beginning.
     *
     * @param clientConfig Kafka client settings ({@code bootstrap.servers}, security) and {@code schema.registry.url}
     * @param timeout      how long to wait for the cluster to answer
     * @throws IllegalStateException naming the topic or the unreachable cluster
     */
    static FeatureStatsReader open(Map<String, Object> clientConfig, String topic, Duration timeout)
            throws InterruptedException {
        List<TopicPartition> partitions = partitionsOf(clientConfig, topic, timeout);
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.remove("schema.registry.url");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "retina-stats-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            AvroSerde<FeatureStats> serde = new AvroSerde<>(FeatureStats.class,
                    SchemaRegistryClient.fromKafkaConfig(clientConfig), false);
            return new FeatureStatsReader(consumer, serde, partitions);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    private static List<TopicPartition> partitionsOf(Map<String, Object> clientConfig, String topic,
                                                     Duration timeout) throws InterruptedException {
        Map<String, Object> adminConfig = new HashMap<>(clientConfig);
        adminConfig.remove("schema.registry.url");
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        String servers = String.valueOf(clientConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        try (Admin admin = Admin.create(adminConfig)) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            List<TopicPartition> partitions = new ArrayList<>();
            d.partitions().forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            return partitions;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("topic '" + topic + "' does not exist on " + servers
                        + "; expected the statistics topic of the app (its stats.topic, default image-stats)", e);
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(servers, timeout, e.getCause());
            }
            throw new IllegalStateException("cannot describe topic '" + topic + "' on " + servers + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(servers, timeout, e);
        }
    }

    private static IllegalStateException unreachable(String servers, Duration timeout, Throwable cause) {
        return new IllegalStateException("cannot reach Kafka at " + servers + " within " + timeout.toMillis()
                + " ms; expected a running broker at --bootstrap-servers", cause);
    }

    /** The assigned partitions: every partition of the topic when the reader was opened. */
    List<TopicPartition> partitions() {
        return partitions;
    }

    /** The offset of the next record to read in every partition. */
    Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition tp : partitions) {
            positions.put(tp, consumer.position(tp));
        }
        return positions;
    }

    /** The current end (last stable offset) of every partition: what "caught up" means for {@link #reached}. */
    Map<TopicPartition, Long> endOffsets() {
        return consumer.endOffsets(partitions);
    }

    /** Whether this reader has read up to the given end offsets in every partition. */
    boolean reached(Map<TopicPartition, Long> ends) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < ends.getOrDefault(tp, 0L)) {
                return false;
            }
        }
        return true;
    }

    /** The next records, waiting at most {@code timeout}; throws {@code WakeupException} after {@link #wakeup()}. */
    List<Entry> poll(Duration timeout) {
        List<Entry> entries = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                entries.add(new Entry(r.partition(), r.offset(), key, null, "tombstone (no value)"));
                continue;
            }
            try {
                entries.add(new Entry(r.partition(), r.offset(), key,
                        serde.deserializer().deserialize(r.topic(), r.value()), null));
            } catch (WireFormatException e) {
                // A bad record is shown and skipped; a registry that cannot be reached (SerializationException)
                // stops the reader, since no record would decode.
                entries.add(new Entry(r.partition(), r.offset(), key, null,
                        "not a FeatureStats record (" + r.value().length + " bytes): " + e.getMessage()));
            }
        }
        return entries;
    }

    /** Makes a blocked or the next {@link #poll} throw {@code WakeupException}; callable from any thread. */
    void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } finally {
            serde.close();
        }
    }
}
