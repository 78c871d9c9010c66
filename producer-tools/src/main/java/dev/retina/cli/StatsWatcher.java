package dev.retina.cli;

import dev.retina.schemas.avro.FeatureStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the FeatureStats windows of the statistics topic on a thread of its own, as they are committed, and hands
 * each to a {@link Listener}; the demo's counterpart of {@link OutputWatcher} for statistics. A record that is not
 * FeatureStats is reported, not skipped silently. {@link #close()} stops the thread.
 */
final class StatsWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatsWatcher.class);

    /** Receives windows on the watcher's thread. */
    interface Listener {
        void window(FeatureStats stats);

        /** A record of the topic that could not be decoded. */
        default void undecodable(FeatureStatsReader.Entry entry) {
            LOG.warn("Cannot decode stats record {}@{}: {}", entry.partition(), entry.offset(), entry.problem());
        }
    }

    private final FeatureStatsReader reader;
    private final Listener listener;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    private StatsWatcher(FeatureStatsReader reader, Listener listener) {
        this.reader = reader;
        this.listener = listener;
        this.thread = new Thread(this::loop, "retina-stats-watcher");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching {@code topic} from its beginning.
     *
     * @param clientConfig Kafka client settings and {@code schema.registry.url}
     * @throws IllegalStateException when the topic does not exist or the cluster does not answer
     */
    static StatsWatcher start(Map<String, Object> clientConfig, String topic, Listener listener)
            throws InterruptedException {
        StatsWatcher watcher = new StatsWatcher(FeatureStatsReader.open(clientConfig, topic, Duration.ofSeconds(30)),
                listener);
        watcher.thread.start();
        return watcher;
    }

    private void loop() {
        try {
            while (running) {
                for (FeatureStatsReader.Entry e : reader.poll(Duration.ofMillis(200))) {
                    if (e.stats() != null) {
                        listener.window(e.stats());
                    } else {
                        listener.undecodable(e);
                    }
                }
                positions.putAll(reader.positions());
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (RuntimeException e) {
            LOG.error("Stats watcher stopped: {}", e.toString(), e);
        } finally {
            reader.close();
            stopped.countDown();
        }
    }

    /** Whether every window committed so far has been handed to the listener (position at the last stable offset). */
    boolean caughtUp(Admin admin) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        reader.partitions().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : stable.entrySet()) {
            if (positions.getOrDefault(e.getKey(), 0L) < e.getValue().offset()) {
                return false;
            }
        }
        return true;
    }

    /** Stops the thread and waits for it; calling it again does nothing. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        reader.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("Stats watcher did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
