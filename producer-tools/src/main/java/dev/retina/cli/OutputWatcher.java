package dev.retina.cli;

import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the pipeline's results and dead letters as they are committed ({@code isolation.level=read_committed}, a
 * fresh consumer group, from the earliest offset) on a thread of its own and hands each to a {@link Listener}.
 * Values are decoded with the Avro serde through the schema registry; a value that does not decode is reported,
 * not skipped silently. {@link #close()} stops the thread.
 */
public final class OutputWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputWatcher.class);

    /** Receives records on the watcher's thread. */
    public interface Listener {
        /**
         * A classification; {@code timestamp} is its record's timestamp, which Kafka Streams copies from the input
         * image record: the event time the app's statistics windows use.
         */
        void result(String key, ClassificationResult result, long timestamp);

        void deadLetter(String key, DeadLetter letter);

        /** A record on either topic that could not be decoded. */
        default void undecodable(ConsumerRecord<String, byte[]> record, RuntimeException error) {
            LOG.warn("Cannot decode {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    error.getMessage());
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroSerde<ClassificationResult> results;
    private final AvroSerde<DeadLetter> deadLetters;
    private final String resultTopic;
    private final String dlqTopic;
    private final Listener listener;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    private OutputWatcher(Map<String, Object> clientConfig, String resultTopic, String dlqTopic, Listener listener) {
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.remove("schema.registry.url");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "retina-watch-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        SchemaRegistryClient registry = SchemaRegistryClient.fromKafkaConfig(clientConfig);
        this.results = new AvroSerde<>(ClassificationResult.class, registry, false);
        this.deadLetters = new AvroSerde<>(DeadLetter.class, registry, false);
        this.resultTopic = resultTopic;
        this.dlqTopic = dlqTopic;
        this.listener = listener;
        this.thread = new Thread(this::loop, "retina-output-watcher");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching.
     *
     * @param clientConfig Kafka client settings (bootstrap.servers, security) and {@code schema.registry.url}
     */
    public static OutputWatcher start(Map<String, Object> clientConfig, String resultTopic, String dlqTopic,
                                      Listener listener) {
        OutputWatcher watcher = new OutputWatcher(clientConfig, resultTopic, dlqTopic, listener);
        watcher.consumer.subscribe(List.of(resultTopic, dlqTopic));
        watcher.thread.start();
        return watcher;
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    dispatch(record);
                }
                for (TopicPartition tp : consumer.assignment()) {
                    positions.put(tp, consumer.position(tp));
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (RuntimeException e) {
            LOG.error("Output watcher stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            results.close();
            deadLetters.close();
            stopped.countDown();
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        try {
            if (record.topic().equals(resultTopic)) {
                listener.result(record.key(), results.deserializer().deserialize(record.topic(), record.value()),
                        record.timestamp());
            } else if (record.topic().equals(dlqTopic)) {
                listener.deadLetter(record.key(), deadLetters.deserializer().deserialize(record.topic(),
                        record.value()));
            }
        } catch (RuntimeException e) {
            listener.undecodable(record, e);
        }
    }

    /**
     * Whether everything committed to both topics so far has been handed to the listener: the watcher's position in
     * every partition has reached the partition's last stable offset.
     */
    public boolean caughtUp(Admin admin) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(List.of(resultTopic, dlqTopic)).allTopicNames().get()
                .values()) {
            d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : stable.entrySet()) {
            if (positions.getOrDefault(e.getKey(), 0L) < e.getValue().offset()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("Output watcher did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
