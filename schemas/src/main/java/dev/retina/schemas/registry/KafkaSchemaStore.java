package dev.retina.schemas.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaStore} in a compacted, single-partition Kafka topic (default {@value #DEFAULT_TOPIC}), like
 * Confluent's registry; record layout in {@link StoreEntryJson}.
 *
 * <p>{@link #loadAll()} creates the topic when missing ({@code cleanup.policy=compact}, 1 partition, replication
 * factor as configured or {@code min(3, brokers)}), refuses a topic that is not compacted or has more than one
 * partition, then reads it from the beginning to the end offset taken at start. {@link #append} writes with
 * {@code acks=all} and idempotence and waits for the acknowledgement, so an answered change is durable.
 * Single writer: two registries appending to one topic at once could hand out the same id.
 */
public final class KafkaSchemaStore implements SchemaStore {

    /** Confluent's default topic name. */
    public static final String DEFAULT_TOPIC = "_schemas";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, Object> clientProperties;
    private final int replicationFactor;
    private final Duration timeout;
    private KafkaProducer<byte[], byte[]> producer;

    private KafkaSchemaStore(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.clientProperties = Map.copyOf(b.clientProperties);
        this.replicationFactor = b.replicationFactor;
        this.timeout = b.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String topic() {
        return topic;
    }

    @Override
    public synchronized List<StoreEntry> loadAll() {
        ensureTopic();
        List<StoreEntry> entries = read();
        if (producer == null) {
            Map<String, Object> props = clientConfig("retina-schema-registry-writer");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            producer = new KafkaProducer<>(props);
        }
        LOG.info("Loaded {} schema store records from topic {}", entries.size(), topic);
        return entries;
    }

    @Override
    public synchronized void append(StoreEntry entry) {
        if (producer == null) {
            throw new IllegalStateException("KafkaSchemaStore.append before loadAll()");
        }
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(topic, 0, StoreEntryJson.key(entry), StoreEntryJson.value(entry));
        try {
            producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaStoreException("Interrupted while writing to " + topic, e);
        } catch (ExecutionException e) {
            throw new SchemaStoreException("Cannot write to schema topic " + topic + ": " + e.getCause(),
                e.getCause());
        } catch (TimeoutException e) {
            throw new SchemaStoreException("No acknowledgement from " + topic + " within " + timeout, e);
        }
    }

    @Override
    public String describe() {
        return "Kafka topic " + topic + " at " + bootstrapServers;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    private Map<String, Object> clientConfig(String clientId) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    private void ensureTopic() {
        Map<String, Object> props = clientConfig("retina-schema-registry-admin");
        // Admin refuses a default.api.timeout.ms below request.timeout.ms, so bound both by the store timeout.
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, millis);
        int requestTimeout = Integer.parseInt(props.get(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG).toString());
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, Math.max(millis, requestTimeout));
        try (Admin admin = Admin.create(props)) {
            Set<String> names = get(admin.listTopics(new ListTopicsOptions().listInternal(true)).names(),
                "list topics");
            if (!names.contains(topic)) {
                int rf = replicationFactor > 0 ? replicationFactor
                    : Math.min(3, get(admin.describeCluster().nodes(), "describe cluster").size());
                NewTopic newTopic = new NewTopic(topic, 1, (short) Math.max(1, rf))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    get(admin.createTopics(List.of(newTopic)).all(), "create topic " + topic);
                    LOG.info("Created schema topic {} (compacted, 1 partition, replication factor {})", topic, rf);
                } catch (SchemaStoreException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            TopicDescription description = describeWhenVisible(admin);
            if (description.partitions().size() != 1) {
                throw new SchemaStoreException("Schema topic " + topic + " must have exactly 1 partition (ids are "
                    + "assigned in log order), found " + description.partitions().size());
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = get(admin.describeConfigs(List.of(resource)).all(), "describe configs of " + topic)
                .get(resource);
            ConfigEntry policy = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            String value = policy == null ? null : policy.value();
            if (value == null || !value.contains(TopicConfig.CLEANUP_POLICY_COMPACT)
                || value.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                throw new SchemaStoreException("Schema topic " + topic + " must have cleanup.policy=compact "
                    + "(otherwise schemas expire), found " + value);
            }
        }
    }

    /**
     * Describes the schema topic, retrying while the metadata of a just-created topic has not yet
     * reached the broker that answers (it reports the topic as unknown for a moment).
     */
    private TopicDescription describeWhenVisible(Admin admin) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMillis = 20;
        while (true) {
            try {
                return get(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic " + topic).get(topic);
            } catch (SchemaStoreException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaStoreException("Interrupted while waiting for topic " + topic + " to appear", e);
            }
            backoffMillis = Math.min(500, backoffMillis * 2);
        }
    }

    private List<StoreEntry> read() {
        Map<String, Object> props = clientConfig("retina-schema-registry-reader");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        TopicPartition partition = new TopicPartition(topic, 0);
        List<StoreEntry> entries = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new SchemaStoreException("Reading schema topic " + topic + " took longer than " + timeout
                        + " (at offset " + consumer.position(partition) + " of " + end + ")");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    decode(record).ifPresent(entries::add);
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new SchemaStoreException("Cannot read schema topic " + topic + " at " + bootstrapServers
                + " within " + timeout + ": " + e.getMessage(), e);
        }
        return entries;
    }

    private Optional<StoreEntry> decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return StoreEntryJson.decode(record.key(), record.value());
        } catch (IllegalArgumentException e) {
            throw new SchemaStoreException("Malformed record in schema topic " + topic + " at offset "
                + record.offset() + ": " + e.getMessage(), e);
        }
    }

    private <V> V get(org.apache.kafka.common.KafkaFuture<V> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaStoreException("Interrupted during " + what, e);
        } catch (ExecutionException e) {
            throw new SchemaStoreException("Kafka failed to " + what + " at " + bootstrapServers + ": "
                + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new SchemaStoreException("Kafka did not " + what + " within " + timeout + " at "
                + bootstrapServers, e);
        }
    }

    /** Builder: {@code set...} required, {@code opt...} optional. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private final Map<String, Object> clientProperties = new HashMap<>();
        private int replicationFactor;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {
        }

        public Builder setBootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        /** Topic name (default {@value #DEFAULT_TOPIC}). */
        public Builder optTopic(String name) {
            this.topic = name;
            return this;
        }

        /** Extra client settings for admin, producer and consumer, e.g. security.protocol and sasl.*. */
        public Builder optClientProperties(Map<String, Object> properties) {
            this.clientProperties.putAll(properties);
            return this;
        }

        /** Replication factor of a topic this store creates; 0 (default) means min(3, number of brokers). */
        public Builder optReplicationFactor(int factor) {
            this.replicationFactor = factor;
            return this;
        }

        /** Bound on each Kafka operation and on reading the whole topic at start (default 30 s). */
        public Builder optTimeout(Duration limit) {
            this.timeout = limit;
            return this;
        }

        public KafkaSchemaStore build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("Kafka bootstrap servers are required, found '"
                    + bootstrapServers + "'");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("Schema topic name must not be empty, found '" + topic + "'");
            }
            if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("Replication factor must be 0 (auto) or positive, found "
                    + replicationFactor);
            }
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("Timeout must be positive, found " + timeout);
            }
            return new KafkaSchemaStore(this);
        }
    }
}
