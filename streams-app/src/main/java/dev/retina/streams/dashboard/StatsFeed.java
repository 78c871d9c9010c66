package dev.retina.streams.dashboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.ClassCount;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.streams.dashboard.Views.StatsWindow;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads FeatureStats windows from the statistics topic on a thread of its own and hands them to the dashboard. It
 * assigns itself every partition (no consumer group, no commits: each instance shows every window), starts
 * {@link #BACKLOG} records before the end of each partition so a fresh page has history, and reads committed
 * records only. A topic that does not exist yet is looked for again every few seconds; a record that cannot be
 * deserialized is skipped and reported in the status line.
 */
final class StatsFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatsFeed.class);
    /** Records read back per partition at start. */
    static final int BACKLOG = DashboardSettings.WINDOWS_KEPT;
    private static final Duration RETRY = Duration.ofSeconds(3);

    private final String topic;
    private final DashboardState state;
    private final KafkaConsumer<byte[], FeatureStats> consumer;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);

    /**
     * @param clientProperties plain consumer settings (bootstrap servers, security); group settings are ignored
     * @param registrySettings the schema registry settings of the AvroSerde
     */
    StatsFeed(String topic, Map<String, Object> clientProperties, Map<String, ?> registrySettings,
              DashboardState state) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.state = Objects.requireNonNull(state, "state");
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroSerde<FeatureStats> serde = new AvroSerde<>(FeatureStats.class);
        serde.configure(registrySettings, false);
        Deserializer<FeatureStats> values = serde.deserializer();
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), values);
        this.thread = new Thread(this::run, "retina-dashboard-stats");
        this.thread.setDaemon(true);
    }

    private volatile boolean started;

    void start() {
        started = true;
        thread.start();
    }

    private void run() {
        try {
            while (!assign()) {
                if (stop.await(RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
            state.statsStatus("reading " + topic);
            while (stop.getCount() > 0) {
                try {
                    for (ConsumerRecord<byte[], FeatureStats> r : consumer.poll(Duration.ofSeconds(1))) {
                        if (r.value() != null) {
                            state.statsWindow(window(r.value()));
                        }
                    }
                } catch (RecordDeserializationException e) {
                    LOG.warn("Skipping an unreadable statistics record at {}-{}@{}: {}", e.topicPartition().topic(),
                        e.topicPartition().partition(), e.offset(), e.getMessage());
                    state.statsStatus("skipped an unreadable record at " + e.topicPartition() + "@" + e.offset());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("Statistics reader of the dashboard stopped: {}", e.toString());
            state.statsStatus("stopped: " + e.getMessage());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Assigns every partition of the topic, positioned {@link #BACKLOG} before the end; false if it is missing. */
    private boolean assign() {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            state.statsStatus("cannot list the partitions of " + topic + ": " + e.getMessage());
            return false;
        }
        if (infos == null || infos.isEmpty()) {
            state.statsStatus("waiting for topic " + topic + " (no statistics written yet)");
            return false;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : infos) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition p : partitions) {
            consumer.seek(p, Math.max(begin.getOrDefault(p, 0L), end.getOrDefault(p, 0L) - BACKLOG));
        }
        LOG.info("Dashboard reads statistics from {} ({} partitions)", topic, partitions.size());
        return true;
    }

    /** The page's view of one window. */
    static StatsWindow window(FeatureStats s) {
        Map<String, Long> classes = new LinkedHashMap<>();
        for (ClassCount c : s.getClassCounts()) {
            classes.put(c.getLabel(), c.getCount());
        }
        var drift = s.getDrift();
        var accuracy = s.getAccuracy();
        return new StatsWindow(s.getWindowStart().toEpochMilli(), s.getWindowEnd().toEpochMilli(), s.getModelName(),
            s.getModelVersion(), s.getCount(), classes, s.getConfidence().getMean(), s.getConfidence().getP50(),
            s.getConfidence().getP95(), s.getConfidence().getLowConfidenceCount(),
            accuracy == null ? null : accuracy.getAccuracy(), accuracy == null ? 0 : accuracy.getLabelledCount(),
            drift == null ? null : drift.getPsiClass(), drift == null ? null : drift.getPsiConfidence(),
            drift == null ? null : drift.getPsiThreshold(), drift != null && drift.getDrift(),
            s.getLatency().getP50Millis(), s.getLatency().getP99Millis());
    }

    @Override
    public void close() {
        stop.countDown();
        if (!started) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
