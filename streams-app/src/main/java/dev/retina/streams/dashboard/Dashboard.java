package dev.retina.streams.dashboard;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.Prediction;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.streams.ClassifiedImage;
import dev.retina.streams.PipelineEvents;
import dev.retina.streams.dashboard.Views.DeadLetterEntry;
import dev.retina.streams.dashboard.Views.ImageCard;
import dev.retina.streams.dashboard.Views.Tick;
import dev.retina.streams.model.LiveModel;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.model.ModelManager;
import dev.retina.streams.model.ModelRejectedException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard of one application instance: receives pipeline events, keeps the bounded state the page shows
 * and pushes every change to the connected pages.
 *
 * <p>Threads: stream threads call {@link #classified} and {@link #deadLettered}, which only count, copy the few
 * fields the page shows, and offer them to a bounded feed (a full feed drops the event and counts it, it never
 * waits). The encoded image travels along only when it will get a thumbnail ({@link ThumbnailBudget}: within the
 * rate, and at most {@link #THUMBNAIL_BYTES_HELD} bytes waiting), so a backlog never pins full-size images. The dispatcher thread
 * ({@code retina-dashboard}) drains the feed, makes thumbnails (at most
 * {@link DashboardSettings#thumbnailsPerSecond()}), publishes a tick of throughput and p50/p99 latency every
 * {@link DashboardSettings#tick()}, and follows the model and the consumer group. The statistics reader has a
 * thread of its own ({@link StatsFeed}); each SSE client has a writer thread ({@link SseBroadcaster}).
 */
public final class Dashboard implements PipelineEvents, ModelManager.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final Object MODEL_CHANGED = new Object();
    /** Group members are described every this many ticks. */
    private static final int GROUP_EVERY_TICKS = 5;
    /** Encoded image bytes held at most for thumbnails not made yet. */
    static final long THUMBNAIL_BYTES_HELD = 64L * 1024 * 1024;

    /** What the dispatcher needs of one classified image; {@code data} only when a thumbnail is to be made. */
    private record ImageSample(String imageId, String source, String label, double score, String modelVersion,
                               double endToEndMillis, double inferenceMillis, int partition, long offset,
                               String groundTruth, long classifiedAt, ByteBuffer data) {
    }

    private final DashboardSettings settings;
    private final LiveModel model;
    private final Thumbnailer thumbnailer;
    private final Clock clock;
    private final SseBroadcaster broadcaster;
    private final DashboardState state;
    private final InstanceView instance;
    private final BlockingQueue<Object> feed;
    private final AtomicLong classifiedCount = new AtomicLong();
    private final AtomicLong deadLetterCount = new AtomicLong();
    private final AtomicLong feedDropped = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread dispatcher;
    private final LatencyWindow endToEnd = new LatencyWindow(8192);
    private final LatencyWindow inference = new LatencyWindow(8192);
    private final ThumbnailBudget thumbnails;
    private volatile StatsFeed stats;
    private long imageSeq;
    private long deadLetterSeq;

    /**
     * A dashboard; nothing is processed before {@link #start()}.
     *
     * @param settings      sizes and rates
     * @param instanceId    this instance (instance.id)
     * @param applicationId the Kafka Streams application id (= consumer group)
     * @param statsTopic    the FeatureStats topic, read once {@link #readStats} is called
     * @param model         the served model, for its version and reload history
     * @param decoder       decodes images for thumbnails (the app's limits)
     * @param admin         describes the consumer group now and then; null to show only this instance (closed with
     *                      the dashboard)
     * @param clock         time of ticks
     */
    public Dashboard(DashboardSettings settings, String instanceId, String applicationId, String statsTopic,
                     LiveModel model, ImageDecoder decoder, Admin admin, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.model = Objects.requireNonNull(model, "model");
        this.thumbnailer = new Thumbnailer(decoder, settings.thumbnailSide());
        this.clock = Objects.requireNonNull(clock, "clock");
        this.broadcaster = new SseBroadcaster(settings.sse());
        this.instance = new InstanceView(instanceId, applicationId, admin);
        this.state = new DashboardState(settings.thumbnails(), broadcaster, statsTopic, ModelView.of(model),
            instance.view());
        this.feed = new ArrayBlockingQueue<>(settings.feedCapacity());
        this.thumbnails = new ThumbnailBudget(settings.thumbnailsPerSecond(), THUMBNAIL_BYTES_HELD, System::nanoTime);
        this.dispatcher = new Thread(this::dispatch, "retina-dashboard");
        this.dispatcher.setDaemon(true);
    }

    /** Starts the dispatcher thread. */
    public Dashboard start() {
        dispatcher.start();
        return this;
    }

    /** Shows the stream threads and partitions of {@code streams} from now on. */
    public void attach(KafkaStreams streams) {
        instance.attach(streams);
    }

    /**
     * Starts reading FeatureStats from {@code topic} (see {@link StatsFeed}).
     *
     * @param clientProperties plain Kafka consumer settings (bootstrap servers, security, client id)
     * @param registrySettings schema registry settings for the AvroSerde
     */
    public void readStats(String topic, Map<String, Object> clientProperties, Map<String, ?> registrySettings) {
        StatsFeed reader = new StatsFeed(topic, clientProperties, registrySettings, state);
        stats = reader;
        reader.start();
    }

    /** The HTTP routes of the page, its assets, the snapshot and the event stream. */
    public DashboardRoutes routes() {
        return new DashboardRoutes(state);
    }

    /** The state the page shows (for tests and the snapshot endpoint). */
    public DashboardState state() {
        return state;
    }

    /** SSE clients and their drops. */
    public SseBroadcaster broadcaster() {
        return broadcaster;
    }

    /** Events dropped because the feed was full (the dispatcher fell behind the stream threads). */
    public long feedDropped() {
        return feedDropped.get();
    }

    @Override
    public void classified(ClassifiedImage image) {
        classifiedCount.incrementAndGet();
        ClassificationResult r = image.result();
        // Only the fields the page shows cross to the dispatcher, and the image bytes only when a thumbnail will
        // be made: a backlog in the feed must not hold on to thousands of full-size images.
        ByteBuffer data = thumbnails.tryTake(image.input().getData().remaining())
            ? image.input().getData().duplicate() : null;
        Prediction top = image.classification().topK().isEmpty() ? null : image.classification().topK().get(0);
        offer(new ImageSample(r.getImageId(), r.getSource(), top == null ? null : top.label(),
            top == null ? 0 : top.score(), r.getModel().getVersion(), r.getTimings().getEndToEndMillis(),
            r.getTimings().getInferenceMillis(), r.getLineage().getPartition(), r.getLineage().getOffset(),
            r.getGroundTruthLabel(), r.getClassifiedAt().toEpochMilli(), data));
    }

    @Override
    public void deadLettered(DeadLetter d) {
        deadLetterCount.incrementAndGet();
        offer(new DeadLetterEntry(0, d.getReason().name(), d.getStage(), d.getMessage(), d.getOriginalTopic(),
            d.getOriginalPartition(), d.getOriginalOffset(), d.getFailedAt().toEpochMilli()));
    }

    @Override
    public void swapped(ModelIdentity previous, ModelIdentity next) {
        offer(MODEL_CHANGED);
    }

    @Override
    public void rejected(String version, ModelRejectedException.Reason reason, String message) {
        offer(MODEL_CHANGED);
    }

    private void offer(Object event) {
        if (!feed.offer(event)) {
            feedDropped.incrementAndGet();
            if (event instanceof ImageSample sample && sample.data() != null) {
                thumbnails.release(sample.data().remaining());
            }
        }
    }

    private void dispatch() {
        long tickNanos = settings.tick().toNanos();
        long nextTick = System.nanoTime() + tickNanos;
        long lastCount = 0;
        long lastTickAt = System.nanoTime();
        int ticks = 0;
        instance.refreshGroup();
        while (running.get()) {
            try {
                long wait = nextTick - System.nanoTime();
                Object event = wait > 0 ? feed.poll(wait, TimeUnit.NANOSECONDS) : feed.poll();
                if (event instanceof ImageSample image) {
                    image(image);
                } else if (event instanceof DeadLetterEntry entry) {
                    state.deadLetter(new DeadLetterEntry(++deadLetterSeq, entry.reason(), entry.stage(),
                        entry.message(), entry.topic(), entry.partition(), entry.offset(), entry.failedAt()));
                } else if (event == MODEL_CHANGED) {
                    state.model(ModelView.of(model));
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    long count = classifiedCount.get();
                    double seconds = Math.max(1e-9, (now - lastTickAt) / 1e9);
                    state.tick(new Tick(clock.millis(), (count - lastCount) / seconds, endToEnd.percentile(0.5),
                        endToEnd.percentile(0.99), inference.percentile(0.5), inference.percentile(0.99), count,
                        deadLetterCount.get(), feedDropped.get(), broadcaster.clientCount()));
                    endToEnd.reset();
                    inference.reset();
                    lastCount = count;
                    lastTickAt = now;
                    nextTick = Math.max(nextTick + tickNanos, now + tickNanos / 2);
                    state.model(ModelView.of(model));  // pins and unpins have no listener callback
                    state.instance(instance.view());
                    broadcaster.sweep();
                    if (++ticks % GROUP_EVERY_TICKS == 0) {
                        instance.refreshGroup();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A bug in one event must not end the dashboard; the pipeline is unaffected either way.
                LOG.warn("Dashboard dispatcher skipped an event: {}", e.toString(), e);
            }
        }
    }

    private void image(ImageSample image) {
        endToEnd.add(image.endToEndMillis());
        inference.add(image.inferenceMillis());
        String uri = null;
        String error = null;
        if (image.data() != null) {
            try {
                uri = thumbnailer.dataUri(bytes(image.data()));
            } catch (ThumbnailException e) {
                error = e.reason() + ": " + e.getMessage();
            } finally {
                thumbnails.release(image.data().remaining());
            }
        } else {
            error = "over " + settings.thumbnailsPerSecond() + " thumbnails per second";
        }
        state.image(new ImageCard(++imageSeq, image.imageId(), image.source(), image.label(), image.score(),
            image.modelVersion(), image.endToEndMillis(), image.inferenceMillis(), image.partition(), image.offset(),
            image.groundTruth(), image.classifiedAt(), uri, error));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        dispatcher.interrupt();
        try {
            dispatcher.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StatsFeed reader = stats;
        if (reader != null) {
            reader.close();
        }
        broadcaster.close();
        instance.close();
    }
}
