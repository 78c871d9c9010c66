package dev.retina.streams.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.retina.schemas.avro.ModelRelease;
import dev.retina.streams.model.ModelRejectedException.Reason;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted models topic ({@link ModelTopic} describes its records) and hands releases and pins of one
 * model to a {@link ModelManager}.
 *
 * <p>Every instance reads the whole topic from the beginning with its own consumer: partitions are
 * <i>assigned</i>, not subscribed, and there is no consumer group, so no two instances split the releases between
 * them and each one sees every release and pin. Replaying the compacted topic at start rebuilds the catalogue of
 * versions and the current pin; the manager then serves the same version everywhere (the pin, or the highest
 * valid version), which is how a scaled-out application converges.
 *
 * <p>Runs on its own thread; fetching a URI release happens there too, never on a stream thread. A record that
 * cannot be used (undecodable value, failed fetch) is reported to the manager as rejected and skipped.
 */
public final class ModelTopicSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTopicSource.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final String topic;
    private final Deserializer<ModelRelease> releases;
    private final ModelManager manager;
    private final ModelBytesFetcher fetcher;
    private final long maxModelBytes;
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    private final Thread thread;
    private volatile Consumer<byte[], byte[]> consumer;
    private volatile boolean closed;

    /**
     * @param consumerConfig client settings (bootstrap servers, security); group and offsets are set here
     * @param topic          the models topic
     * @param releases       a configured ModelRelease deserializer (registry settings applied)
     * @param manager        receives the releases and pins of its model name
     * @param maxModelBytes  largest ONNX file fetched by URI
     */
    public ModelTopicSource(Map<String, Object> consumerConfig, String topic, Deserializer<ModelRelease> releases,
                            ModelManager manager, long maxModelBytes) {
        this(() -> new KafkaConsumer<>(consumerProperties(consumerConfig), new ByteArrayDeserializer(),
            new ByteArrayDeserializer()), topic, releases, manager, new ModelBytesFetcher(), maxModelBytes);
    }

    ModelTopicSource(Supplier<Consumer<byte[], byte[]>> consumers, String topic, Deserializer<ModelRelease> releases,
                     ModelManager manager, ModelBytesFetcher fetcher, long maxModelBytes) {
        this.consumers = Objects.requireNonNull(consumers, "consumers");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.releases = Objects.requireNonNull(releases, "releases");
        this.manager = Objects.requireNonNull(manager, "manager");
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.maxModelBytes = maxModelBytes;
        this.thread = new Thread(this::run, "retina-models-topic-" + manager.modelName());
        this.thread.setDaemon(true);
    }

    /** The consumer settings: no group, no commits, read_committed, fetch sizes that fit the largest record. */
    static Map<String, Object> consumerProperties(Map<String, Object> base) {
        Map<String, Object> props = new HashMap<>(base);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ModelTopic.MAX_RECORD_BYTES + 1024 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, ModelTopic.MAX_RECORD_BYTES + 1024 * 1024);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "retina-models-reader");
        return props;
    }

    public ModelTopicSource start() {
        thread.start();
        return this;
    }

    /**
     * Completes once everything that was on the topic when reading started has been handed to the manager (the
     * manager may still be validating it: follow with {@link ModelManager#sync()} or
     * {@link ModelManager#awaitModel}).
     */
    public CompletableFuture<Void> caughtUp() {
        return caughtUp;
    }

    private void run() {
        try (Consumer<byte[], byte[]> c = consumers.get()) {
            consumer = c;
            if (closed) {
                return;
            }
            List<TopicPartition> partitions = awaitPartitions(c);
            if (partitions == null) {
                return;
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            LOG.info("Reading model releases of '{}' from {} ({} partitions, {} records to replay)",
                manager.modelName(), topic, partitions.size(), end.values().stream().mapToLong(Long::longValue).sum());
            while (!closed) {
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    handle(r);
                }
                if (!caughtUp.isDone() && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    caughtUp.complete(null);
                    LOG.info("Model releases of {} replayed", topic);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                LOG.error("Models topic reader woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("Models topic reader of {} stopped: no further releases will be seen", topic, e);
            caughtUp.completeExceptionally(e);
        } finally {
            if (!caughtUp.isDone()) {
                caughtUp.completeExceptionally(new IllegalStateException("the models topic reader stopped"));
            }
        }
    }

    /** Waits until the topic exists (a first release may create it later); null when closed meanwhile. */
    private List<TopicPartition> awaitPartitions(Consumer<byte[], byte[]> c) {
        boolean logged = false;
        while (!closed) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (!logged) {
                LOG.warn("Models topic {} does not exist yet; waiting for it", topic);
                logged = true;
            }
            try {
                TimeUnit.SECONDS.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        String origin = r.topic() + "-" + r.partition() + "@" + r.offset();
        ModelTopic.Key key = ModelTopic.parseKey(r.key()).orElse(null);
        if (key == null) {
            LOG.warn("Skipping models-topic record {}: expected a key '<name>:<version>' or 'pin:<name>', found {}",
                origin, r.key() == null ? "none" : "'" + new String(r.key(), StandardCharsets.UTF_8) + "'");
            return;
        }
        if (key instanceof ModelTopic.StatusKey) {
            return;     // another instance's report, not a release
        }
        if (key instanceof ModelTopic.PinKey pin) {
            if (!pin.name().equals(manager.modelName())) {
                return;
            }
            if (r.value() == null) {
                manager.unpin(origin);
            } else {
                manager.pin(new String(r.value(), StandardCharsets.UTF_8).strip(), origin);
            }
            return;
        }
        ModelTopic.ReleaseKey rk = (ModelTopic.ReleaseKey) key;
        if (!rk.name().equals(manager.modelName())) {
            return;
        }
        if (r.value() == null) {
            LOG.info("Release {}:{} withdrawn on {} (tombstone); a version already read stays known", rk.name(),
                rk.version(), origin);
            return;
        }
        ModelRelease release;
        try {
            release = releases.deserialize(r.topic(), r.headers(), r.value());
        } catch (RuntimeException e) {
            manager.unusable(rk.version(), origin, Reason.FETCH_FAILED, "the release record cannot be decoded: "
                + e.getMessage());
            return;
        }
        if (!release.getName().equals(rk.name()) || !release.getVersion().equals(rk.version())) {
            manager.unusable(rk.version(), origin, Reason.FETCH_FAILED, "expected a release of " + rk.name() + ":"
                + rk.version() + " under that key, found " + release.getName() + ":" + release.getVersion());
            return;
        }
        byte[] onnx;
        try {
            onnx = onnxOf(release);
        } catch (IOException e) {
            manager.unusable(rk.version(), origin, Reason.FETCH_FAILED, e.getMessage());
            return;
        }
        manager.offer(new ModelCandidate(release.getName(), release.getVersion(), release.getSha256(), onnx,
            release.getLabels(), release.getPreprocessing(), ModelTopic.goldenSet(release), origin));
    }

    private byte[] onnxOf(ModelRelease release) throws IOException {
        if (release.getOnnx() != null) {
            return ModelTopic.bytes(release.getOnnx());
        }
        if (release.getUri() == null) {
            throw new IOException("expected ONNX bytes inline or a URI in release " + release.getName() + ":"
                + release.getVersion() + ", found neither");
        }
        return fetcher.fetch(release.getUri(), maxModelBytes);
    }

    @Override
    public void close() {
        closed = true;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
