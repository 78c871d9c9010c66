package dev.retina.streams;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.ModelPackage;
import dev.retina.streams.errors.DeadLetterDeserializationHandler;
import dev.retina.streams.errors.DeadLetterProcessingHandler;
import dev.retina.streams.dashboard.Dashboard;
import dev.retina.streams.dashboard.DashboardSettings;
import dev.retina.streams.errors.DeadLetterWriter;
import dev.retina.streams.model.FixedModel;
import dev.retina.streams.metrics.HealthServer;
import dev.retina.streams.metrics.PipelineMetrics;
import dev.retina.streams.model.LiveModel;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.model.ModelManager;
import dev.retina.streams.model.ModelReloadSettings;
import dev.retina.streams.model.ModelStatusReporter;
import dev.retina.streams.model.ReloadingModel;
import dev.retina.streams.model.ValidationSettings;
import dev.retina.streams.model.ModelUnavailableException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the classification application: loads the model, makes sure the topics exist, builds the topology and
 * starts Kafka Streams; {@link #close()} stops it gracefully (in-flight records finished, offsets committed) and
 * releases the engine. {@code main} and the command line only parse arguments and call {@link #start(AppConfig)}.
 *
 * <p>A stream thread that dies (for example because the schema registry is unreachable, which the exception
 * handlers treat as a failure rather than bad data) is replaced after a growing delay, and the new thread resumes
 * from the last commit ({@link ThreadFailurePolicy}).
 */
public final class StreamsAppRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsAppRunner.class);

    /** Room for the Avro envelope around an image (ImageRecord or DeadLetter fields, headers). */
    static final long ENVELOPE_BYTES = 1024 * 1024;

    private final AppConfig config;
    private final KafkaStreams streams;
    private final LiveModel model;
    private final PipelineMetrics metrics;
    private final Deque<AutoCloseable> owned;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile HealthServer http;
    private volatile Dashboard dashboard;

    private StreamsAppRunner(AppConfig config, KafkaStreams streams, LiveModel model, PipelineMetrics metrics,
                             Deque<AutoCloseable> owned) {
        this.config = config;
        this.streams = streams;
        this.model = model;
        this.metrics = metrics;
        this.owned = owned;
    }

    /**
     * Starts the application with the model package of {@code model.dir} on an engine of {@code engine.threads}.
     *
     * <p>With {@code model.repository} or {@code models.follow=true} the model is hot-reloaded instead (see
     * {@link #startReloading}).
     *
     * @throws AppConfigException if {@code model.dir} is not set (and no hot reload source is)
     * @throws dev.retina.engine.model.ModelPackageException if the model package is missing or invalid
     * @throws IllegalStateException if the topics cannot be checked or created
     */
    public static StreamsAppRunner start(AppConfig config) {
        if (config.hotReload()) {
            return startReloading(config);
        }
        Path dir = config.modelDir().orElseThrow(() -> new AppConfigException(AppConfig.MODEL_DIR,
            "Setting " + AppConfig.MODEL_DIR + " is not set; expected the directory of a model package ("
                + ModelPackage.MODEL_FILE + ", " + ModelPackage.LABELS_FILE + ", " + ModelPackage.PREPROCESS_FILE + ")"));
        Deque<AutoCloseable> owned = new ArrayDeque<>();
        try {
            Engine engine = Engine.create(config.engineThreads());
            owned.push(engine);
            FixedModel model = FixedModel.load(dir, engine);
            owned.push(model);
            return start(config, model, owned);
        } catch (RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    /**
     * Starts with a hot-reloading model ({@code model.repository} and/or {@code models.follow}): waits for a first
     * valid version, then keeps swapping in validated versions; {@code retina_model_info} follows every swap and the
     * served version is reported on the models topic when it is followed.
     */
    private static StreamsAppRunner startReloading(AppConfig config) {
        Deque<AutoCloseable> owned = new ArrayDeque<>();
        try {
            Engine engine = Engine.create(config.engineThreads());
            owned.push(engine);
            ModelReloadSettings settings = reloadSettings(config);
            ReloadingModel model;
            try {
                model = ReloadingModel.start(settings, engine);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a first model", e);
            }
            owned.push(model);
            if (config.followModels()) {
                ModelStatusReporter status = new ModelStatusReporter(modelClientProperties(config),
                    config.modelsTopic(), settings.modelName(), config.instanceId());
                owned.push(status);
                model.manager().addListener(status);
                model.manager().active().ifPresent(status::report);
            }
            StreamsAppRunner app = start(config, model, owned);
            model.manager().bindMetrics(app.metrics().registry());
            model.manager().addListener(new ModelManager.Listener() {
                @Override
                public void swapped(ModelIdentity previous, ModelIdentity next) {
                    app.metrics().modelServed(next);
                }
            });
            model.manager().active().ifPresent(app.metrics()::modelServed);  // a swap during the start
            app.dashboard().ifPresent(model.manager()::addListener);
            return app;
        } catch (RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    static ModelReloadSettings reloadSettings(AppConfig config) {
        String name = config.modelName().orElseThrow(() -> new AppConfigException(AppConfig.MODEL_NAME,
            "Setting " + AppConfig.MODEL_NAME + " is not set; expected the name of the model to serve with "
                + AppConfig.MODEL_REPOSITORY + " or " + AppConfig.MODELS_FOLLOW));
        ValidationSettings validation = ValidationSettings.defaults()
            .withCanaryBudget(config.modelCanaryBudget())
            .withGoldenMinAccuracy(config.modelGoldenMinAccuracy());
        Map<String, Object> registry = new HashMap<>(config.registrySettings());
        try {
            return new ModelReloadSettings(name, config.modelDir(), config.modelRepository(),
                config.modelPollInterval(), config.followModels(), config.modelsTopic(), modelClientProperties(config),
                registry, validation, config.inferenceTimeout().multipliedBy(2), config.modelStartWait());
        } catch (IllegalArgumentException e) {
            throw new AppConfigException(AppConfig.MODEL_NAME, "Invalid model settings: " + e.getMessage(), e);
        }
    }

    /** Plain Kafka client settings for the models topic reader and status reporter. */
    static Map<String, Object> modelClientProperties(AppConfig config) {
        Map<String, Object> props = new HashMap<>();
        for (Map.Entry<String, String> e : config.kafkaSettings().entrySet()) {
            String key = e.getKey();
            if (key.startsWith("consumer.") || key.startsWith("producer.") || key.startsWith("admin.")
                || key.startsWith("main.consumer.") || key.startsWith("restore.consumer.")
                || key.startsWith("global.consumer.")) {
                continue;
            }
            if (ConsumerConfig.configNames().contains(key) || ProducerConfig.configNames().contains(key)) {
                props.put(key, e.getValue());
            }
        }
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-models-" + config.instanceId());
        return props;
    }

    /** Starts the application serving {@code model}, which stays owned by the caller. */
    public static StreamsAppRunner start(AppConfig config, LiveModel model) {
        return start(config, model, new ArrayDeque<>());
    }

    private static StreamsAppRunner start(AppConfig config, LiveModel model, Deque<AutoCloseable> owned) {
        Objects.requireNonNull(model, "model");
        for (String line : config.describe()) {
            LOG.info("config {}", line);
        }
        KafkaStreams streams = null;
        StreamsAppRunner app = null;
        try {
            PipelineMetrics metrics = PipelineMetrics.prometheus(config.instanceId());
            owned.push(metrics);
            InferenceRunner runner = InferenceRunner.forStreamThreads(config.streamThreads(), config.inferenceTimeout());
            owned.push(runner);
            RecordClassifier classifier = RecordClassifier.create(config, model, runner);
            Dashboard board = dashboard(config, model);
            if (board != null) {
                owned.push(board);
            }
            PipelineEvents events = board == null ? PipelineEvents.NONE : board;
            Topology topology = InferenceTopology.topology(config, classifier, metrics, events);
            try (Admin admin = Admin.create(adminProperties(config))) {
                TopicSetup.ensure(admin, config, wantedTopics(config));
            }
            Properties streamsProps = streamsProperties(config, metrics);
            streamsProps.put(PipelineEvents.CONFIG_KEY, events);
            streams = new KafkaStreams(topology, streamsProps);
            StreamsAppRunner runnerApp = new StreamsAppRunner(config, streams, model, metrics, owned);
            app = runnerApp;
            app.dashboard = board;
            metrics.bind(streams);
            metrics.modelServed(model.current().identity());
            streams.setUncaughtExceptionHandler(ThreadFailurePolicy.systemDefault(config.instanceId()));
            streams.setStateListener((now, before) -> {
                LOG.info("Kafka Streams {} -> {} (instance {})", before, now, config.instanceId());
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    runnerApp.stopped.countDown();
                }
            });
            // The endpoint first: a taken port stops the start before any record is consumed.
            if (config.httpPort().isPresent()) {
                app.http = HealthServer.start(config.httpHost(), config.httpPort().get(), app.probe(),
                    metrics::scrape, board == null ? null : board.routes());
            }
            if (board != null) {
                board.attach(streams);
                board.start();
                Map<String, Object> statsClient = modelClientProperties(config);
                statsClient.put(ConsumerConfig.CLIENT_ID_CONFIG,
                    config.applicationId() + "-dashboard-stats-" + config.instanceId());
                board.readStats(config.statsTopic(), statsClient, config.registrySettings());
            }
            streams.start();
            LOG.info("Classifying {} -> {} (dead letters to {}) with model {} as instance {}", config.inputTopic(),
                config.outputTopic(), config.dlqTopic(), model.current().identity(), config.instanceId());
            return app;
        } catch (RuntimeException e) {
            if (app != null && app.http != null) {
                app.http.close();
            }
            if (streams != null) {
                streams.close(Duration.ofSeconds(30));
            }
            closeAll(owned);
            throw e;
        }
    }

    /**
     * The Kafka Streams configuration of {@code config}: pass-through {@code kafka.*} and security settings first,
     * then the settings the application owns (id, servers, guarantee, threads, dead-letter handlers), the schema
     * registry settings for the serdes and handlers, and a producer request size that fits the largest image.
     */
    public static Properties streamsProperties(AppConfig config) {
        return streamsProperties(config, null);
    }

    /** As {@link #streamsProperties(AppConfig)}, handing {@code metrics} (may be null) to the exception handlers. */
    public static Properties streamsProperties(AppConfig config, PipelineMetrics metrics) {
        Properties props = new Properties();
        props.putAll(config.kafkaSettings());
        props.putAll(config.registrySettings());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            DeadLetterDeserializationHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        props.put(DeadLetterWriter.DLQ_TOPIC_CONFIG, config.dlqTopic());
        props.put(DeadLetterWriter.INSTANCE_ID_CONFIG, config.instanceId());
        if (metrics != null) {
            props.put(PipelineMetrics.CONFIG_KEY, metrics);
        }
        String requestSize = StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (!props.containsKey(requestSize) && !props.containsKey(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)) {
            // A dead letter carries the whole original image: the producer must accept the largest allowed one.
            props.put(requestSize, Long.toString(recordLimit(config)));
        }
        return props;
    }

    /** Largest record the application reads or writes: the image limit plus the Avro envelope. */
    static long recordLimit(AppConfig config) {
        return Math.min(Integer.MAX_VALUE, Math.max(config.maxImageBytes(), ENVELOPE_BYTES) + ENVELOPE_BYTES);
    }

    /**
     * The live dashboard when {@code dashboard.enabled} and the HTTP endpoint is on, else null. It shows this
     * instance's view of the stream; the consumer group is described with an admin client of its own.
     */
    private static Dashboard dashboard(AppConfig config, LiveModel model) {
        if (!config.dashboardEnabled() || config.httpPort().isEmpty()) {
            return null;
        }
        ImageDecoder decoder = ImageDecoder.builder()
            .optMaxPixels(config.maxImagePixels())
            .optMaxBytes(config.maxImageBytes())
            .build();
        Map<String, Object> adminProps = adminProperties(config);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, config.applicationId() + "-dashboard-" + config.instanceId());
        return new Dashboard(DashboardSettings.defaults(config.dashboardThumbnails()), config.instanceId(),
            config.applicationId(), config.statsTopic(), model, decoder, Admin.create(adminProps), Clock.systemUTC());
    }

    static Map<String, Object> adminProperties(AppConfig config) {
        Map<String, Object> props = new HashMap<>();
        for (Map.Entry<String, String> e : config.kafkaSettings().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(StreamsConfig.ADMIN_CLIENT_PREFIX)) {
                props.put(key.substring(StreamsConfig.ADMIN_CLIENT_PREFIX.length()), e.getValue());
            } else if (AdminClientConfig.configNames().contains(key) && !props.containsKey(key)) {
                props.put(key, e.getValue());
            }
        }
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, config.applicationId() + "-topic-setup");
        return props;
    }

    static List<TopicSetup.Wanted> wantedTopics(AppConfig config) {
        Map<String, String> large = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Long.toString(recordLimit(config)));
        List<TopicSetup.Wanted> wanted = new ArrayList<>(List.of(
            new TopicSetup.Wanted(config.inputTopic(), large),
            new TopicSetup.Wanted(config.outputTopic(), Map.of()),
            new TopicSetup.Wanted(config.dlqTopic(), large)));
        if (config.statsEnabled()) {
            wanted.add(new TopicSetup.Wanted(config.statsTopic(), Map.of()));
        }
        return List.copyOf(wanted);
    }

    public AppConfig config() {
        return config;
    }

    /** The Kafka Streams state (CREATED, REBALANCING, RUNNING, PENDING_SHUTDOWN, NOT_RUNNING, ERROR, ...). */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Counters and timers of the pipeline, and the Prometheus exposition. */
    public PipelineMetrics metrics() {
        return metrics;
    }

    /** The live dashboard, when it is served (dashboard.enabled and an HTTP port). */
    public Optional<Dashboard> dashboard() {
        return Optional.ofNullable(dashboard);
    }

    /** The port of the health and metrics endpoint, or -1 when it is disabled. */
    public int httpPort() {
        HealthServer server = http;
        return server == null ? -1 : server.port();
    }

    /** Liveness: Kafka Streams has not failed or stopped. */
    public boolean isLive() {
        KafkaStreams.State s = streams.state();
        return s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR
            && s != KafkaStreams.State.NOT_RUNNING && s != KafkaStreams.State.PENDING_SHUTDOWN;
    }

    /** Readiness: Kafka Streams is RUNNING and a model is loaded. */
    public boolean isReady() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            model.current();
            return true;
        } catch (ModelUnavailableException e) {
            return false;
        }
    }

    private HealthServer.Probe probe() {
        return new HealthServer.Probe() {
            @Override
            public boolean live() {
                return isLive();
            }

            @Override
            public boolean ready() {
                return isReady();
            }

            @Override
            public String detail() {
                String served;
                try {
                    served = model.current().identity().toString();
                } catch (ModelUnavailableException e) {
                    served = "no model";
                }
                return "streams " + streams.state() + ", model " + served + ", instance " + config.instanceId();
            }
        };
    }

    /** The running Kafka Streams instance, for metrics and health checks. */
    public KafkaStreams streams() {
        return streams;
    }

    /** Waits until Kafka Streams has stopped (NOT_RUNNING or ERROR). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Waits until Kafka Streams has stopped (NOT_RUNNING or ERROR); true if it did within {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops gracefully, waiting up to {@code timeout} for Kafka Streams, then releases the model and engine. Only the
     * first call does anything; later ones (a signal handler and a shutdown hook racing) return at once.
     */
    public void close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        HealthServer server = http;
        if (server != null) {
            server.close();
        }
        boolean clean = streams.close(timeout);
        if (!clean) {
            LOG.warn("Kafka Streams did not stop within {}", timeout);
        }
        closeAll(owned);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(60));
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("Failed to close {}", r, e);
            }
        }
    }
}
