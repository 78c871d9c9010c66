package dev.retina.streams;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.retina.engine.image.ImageDecoder;
import dev.retina.schemas.registry.AvroSerdeConfig;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The streams application's configuration: one table ({@link #TABLE}) of key, type, default, validator and
 * documentation, filled from four layers, each overriding the one before:
 *
 * <ol>
 *   <li>the defaults of the table;</li>
 *   <li>a properties file ({@code --config FILE});</li>
 *   <li>environment variables {@code RETINA_<KEY>}: the key upper-cased with dots as underscores, so
 *       {@code RETINA_INPUT_TOPIC} sets {@code input.topic} and {@code RETINA_KAFKA_SECURITY_PROTOCOL} sets
 *       {@code kafka.security.protocol};</li>
 *   <li>explicit overrides (the command line's flags).</li>
 * </ol>
 *
 * <p>Besides the application keys of the table, three kinds of keys pass through:
 * <ul>
 *   <li>{@code kafka.<setting>}: any Kafka Streams, consumer, producer or admin setting, handed to Kafka Streams and
 *       to the admin client with the prefix removed (e.g. {@code kafka.commit.interval.ms},
 *       {@code kafka.state.dir}). Settings the application owns ({@link #APP_OWNED_KAFKA_KEYS}) are refused there,
 *       with the application key to use instead;</li>
 *   <li>plain client security keys ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}), so a standard Kafka
 *       client properties file works unchanged; they are treated like their {@code kafka.}-prefixed form;</li>
 *   <li>the schema registry client's keys ({@link AvroSerdeConfig#CONFIG}: {@code schema.registry.*},
 *       {@code basic.auth.*}), handed to the Avro serdes as they are.</li>
 * </ul>
 * Any other key is refused at load with a message naming it and where it came from. In the environment, variables
 * that belong to the launcher rather than to the application ({@link #IGNORED_ENVIRONMENT}) are skipped.
 *
 * <p>Immutable.
 */
public final class AppConfig {

    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = AvroSerdeConfig.SCHEMA_REGISTRY_URL;
    public static final String INPUT_TOPIC = "input.topic";
    public static final String OUTPUT_TOPIC = "output.topic";
    public static final String DLQ_TOPIC = "dlq.topic";
    public static final String STATS_TOPIC = "stats.topic";
    public static final String MODELS_TOPIC = "models.topic";
    public static final String TOP_K = "top.k";
    public static final String ENGINE_THREADS = "engine.threads";
    public static final String STREAM_THREADS = "stream.threads";
    public static final String MODEL_DIR = "model.dir";
    public static final String MODEL_REPOSITORY = "model.repository";
    public static final String MODEL_NAME = "model.name";
    public static final String MODEL_POLL_INTERVAL_MS = "model.poll.interval.ms";
    public static final String MODELS_FOLLOW = "models.follow";
    public static final String MODEL_CANARY_BUDGET_MS = "model.canary.budget.ms";
    public static final String MODEL_GOLDEN_MIN_ACCURACY = "model.golden.min.accuracy";
    public static final String MODEL_START_WAIT_MS = "model.start.wait.ms";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String INFERENCE_TIMEOUT_MS = "inference.timeout.ms";
    public static final String INSTANCE_ID = "instance.id";
    public static final String MAX_IMAGE_BYTES = "max.image.bytes";
    public static final String MAX_IMAGE_PIXELS = "max.image.pixels";
    public static final String TOPIC_PARTITIONS = "topic.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
    public static final String TOPICS_CREATE = "topics.create";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String DASHBOARD_ENABLED = "dashboard.enabled";
    public static final String DASHBOARD_THUMBNAILS = "dashboard.thumbnails";
    public static final String STATS_ENABLED = "stats.enabled";
    public static final String STATS_WINDOW_MS = "stats.window.ms";
    public static final String STATS_GRACE_MS = "stats.grace.ms";
    public static final String STATS_LOW_CONFIDENCE_THRESHOLD = "stats.low.confidence.threshold";
    public static final String STATS_DRIFT_PSI_THRESHOLD = "stats.drift.psi.threshold";
    public static final String STATS_DRIFT_EMBEDDING_THRESHOLD = "stats.drift.embedding.threshold";
    public static final String STATS_REFERENCE_MIN_COUNT = "stats.reference.min.count";
    public static final String STATS_REFERENCE_FILES = "stats.reference.files";
    public static final String STATS_BY_SOURCE = "stats.by.source";

    /** Prefix of Kafka client and Streams settings passed through. */
    public static final String KAFKA_PREFIX = "kafka.";
    /** Prefix of environment variables read as settings. */
    public static final String ENV_PREFIX = "RETINA_";
    /** Environment variables of the launcher script and the command line, not settings. */
    public static final Set<String> IGNORED_ENVIRONMENT =
        Set.of("RETINA_SKIP_BUILD", "RETINA_JAVA_OPTS", "RETINA_DEBUG", "RETINA_CONFIG", "RETINA_HOME");
    /** Client keys accepted without the {@code kafka.} prefix: exact names and prefixes. */
    public static final List<String> PLAIN_CLIENT_KEYS = List.of("security.protocol", "ssl.", "sasl.");
    /** Kafka settings the application derives from its own keys; setting them under {@code kafka.} is refused. */
    public static final Map<String, String> APP_OWNED_KAFKA_KEYS = Map.of(
        StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID,
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP_SERVERS,
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, PROCESSING_GUARANTEE,
        StreamsConfig.NUM_STREAM_THREADS_CONFIG, STREAM_THREADS,
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DLQ_TOPIC,
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DLQ_TOPIC);

    /** Kafka's consumer default, used when {@code kafka.max.poll.interval.ms} is not set. */
    static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;
    static final String MAX_POLL_INTERVAL_KEY = KAFKA_PREFIX + "max.poll.interval.ms";

    private static final ConfigDef.Validator TOPIC_NAME = (name, value) -> {
        try {
            Topic.validate((String) value);
        } catch (InvalidTopicException e) {
            throw new ConfigException(name, value, "expected a valid Kafka topic name: " + e.getMessage());
        }
    };

    private static final ConfigDef.Validator POSITIVE_FINITE = (name, value) -> {
        if (!(value instanceof Double d && d > 0 && Double.isFinite(d))) {
            throw new ConfigException(name, value, "expected a finite number > 0");
        }
    };

    private static final ConfigDef.Validator NON_BLANK = (name, value) -> {
        if (value == null || value.toString().isBlank()) {
            throw new ConfigException(name, value, "expected a non-empty value");
        }
    };

    /** The table of application settings. */
    public static final ConfigDef TABLE = new ConfigDef()
        .define(APPLICATION_ID, Type.STRING, "retina-classifier", NON_BLANK, Importance.HIGH,
            "Kafka Streams application id: the consumer group, and the prefix of internal topics and transactional "
                + "ids. Instances with the same id share the work.")
        .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", NON_BLANK, Importance.HIGH,
            "Kafka bootstrap servers, host:port[,host:port...].")
        .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://localhost:8081", NON_BLANK, Importance.HIGH,
            "Base URL(s) of the Confluent-compatible schema registry, comma-separated.")
        .define(INPUT_TOPIC, Type.STRING, "images", TOPIC_NAME, Importance.HIGH,
            "Topic of ImageRecord values to classify.")
        .define(OUTPUT_TOPIC, Type.STRING, "image-classifications", TOPIC_NAME, Importance.HIGH,
            "Topic the ClassificationResult of every image goes to, keyed like its input.")
        .define(DLQ_TOPIC, Type.STRING, "images-dlq", TOPIC_NAME, Importance.HIGH,
            "Dead-letter topic: a DeadLetter for every input record that could not be classified.")
        .define(STATS_TOPIC, Type.STRING, "image-stats", TOPIC_NAME, Importance.MEDIUM,
            "Topic of windowed FeatureStats.")
        .define(MODELS_TOPIC, Type.STRING, "models", TOPIC_NAME, Importance.MEDIUM,
            "Compacted topic of ModelRelease records.")
        .define(TOP_K, Type.INT, 5, ConfigDef.Range.between(1, 1000), Importance.MEDIUM,
            "Number of classes in each result, highest score first (fewer when the model has fewer classes).")
        .define(ENGINE_THREADS, Type.INT, Runtime.getRuntime().availableProcessors(), ConfigDef.Range.between(1, 1024),
            Importance.MEDIUM, "Worker threads of the CNN engine, shared by all stream threads (default: cores).")
        .define(STREAM_THREADS, Type.INT, 1, ConfigDef.Range.between(1, 256), Importance.MEDIUM,
            "Kafka Streams stream threads of this instance.")
        .define(MODEL_DIR, Type.STRING, null, Importance.HIGH,
            "Directory of the model package to serve: model.onnx, labels.txt and preprocess.json.")
        .define(MODEL_REPOSITORY, Type.STRING, null, Importance.MEDIUM,
            "Model repository <repo>/<name>/<version>/ to follow (hot reload); a version counts once its READY "
                + "marker exists.")
        .define(MODEL_NAME, Type.STRING, null, Importance.MEDIUM,
            "Name of the model served with hot reload (default: the parent directory name of model.dir).")
        .define(MODEL_POLL_INTERVAL_MS, Type.LONG, 10_000L, ConfigDef.Range.between(10, 86_400_000),
            Importance.LOW, "How often model.repository is scanned, in milliseconds.")
        .define(MODELS_FOLLOW, Type.BOOLEAN, false, Importance.MEDIUM,
            "Follow the models topic: serve the pinned or highest valid release of model.name (hot reload).")
        .define(MODEL_CANARY_BUDGET_MS, Type.LONG, 5_000L, ConfigDef.Range.between(1, 3_600_000), Importance.LOW,
            "Longest canary inference a new model version may take, in milliseconds, or it is rejected.")
        .define(MODEL_GOLDEN_MIN_ACCURACY, Type.DOUBLE, 1.0, ConfigDef.Range.between(0.0, 1.0), Importance.LOW,
            "Share of a release's golden-set images a new version must classify right, or it is rejected.")
        .define(MODEL_START_WAIT_MS, Type.LONG, 60_000L, ConfigDef.Range.between(1, 3_600_000), Importance.LOW,
            "With hot reload: how long the start waits for a first valid model version, in milliseconds.")
        .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
            ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.HIGH,
            "exactly_once_v2 (results, dead letters and offsets in one transaction) or at_least_once.")
        .define(INFERENCE_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.between(1, 3_600_000), Importance.MEDIUM,
            "Deadline of one image's inference, in milliseconds, including the wait for an engine worker; a slower "
                + "image is dead-lettered as TIMEOUT. Must be under half of kafka.max.poll.interval.ms.")
        .define(INSTANCE_ID, Type.STRING, null, Importance.LOW,
            "Name of this instance in results and dead letters (default: host name and process id).")
        .define(MAX_IMAGE_BYTES, Type.LONG, 8L * 1024 * 1024, ConfigDef.Range.between(1, Integer.MAX_VALUE - 8),
            Importance.MEDIUM, "Largest encoded image accepted, in bytes; larger ones are dead-lettered as "
                + "IMAGE_TOO_LARGE.")
        .define(MAX_IMAGE_PIXELS, Type.LONG, ImageDecoder.DEFAULT_MAX_PIXELS, ConfigDef.Range.atLeast(1),
            Importance.MEDIUM, "Largest width x height accepted, checked in the image header before any pixel is "
                + "decoded; larger images are dead-lettered as IMAGE_TOO_LARGE.")
        .define(TOPIC_PARTITIONS, Type.INT, 3, ConfigDef.Range.between(1, 10_000), Importance.LOW,
            "Partitions of topics the application creates.")
        .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, (name, value) -> {
            short v = (Short) value;
            if (v != -1 && v < 1) {
                throw new ConfigException(name, value, "expected -1 (the broker's default.replication.factor) "
                    + "or a replication factor >= 1");
            }
        }, Importance.LOW, "Replication factor of topics the application creates; -1 uses the broker's default.")
        .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.LOW,
            "Create missing topics at start (true) or only check that they exist (false).")
        .define(HTTP_HOST, Type.STRING, "0.0.0.0", NON_BLANK, Importance.LOW,
            "Address of the health and metrics endpoint (/health, /ready, /metrics).")
        .define(HTTP_PORT, Type.INT, 8080, ConfigDef.Range.between(-1, 65535), Importance.LOW,
            "Port of the health and metrics endpoint; 0 picks a free port, -1 disables it.")
        .define(DASHBOARD_ENABLED, Type.BOOLEAN, true, Importance.LOW,
            "Serve the live dashboard (/, /events, /api/state) on the health endpoint's port (needs http.port >= 0).")
        .define(DASHBOARD_THUMBNAILS, Type.INT, 48, ConfigDef.Range.between(1, 500), Importance.LOW,
            "How many of the last classified images the dashboard keeps and shows as thumbnails.")
        .define(STATS_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
            "Compute windowed feature statistics and drift and write them to stats.topic (see docs/STATISTICS.md).")
        .define(STATS_WINDOW_MS, Type.LONG, 60_000L, ConfigDef.Range.between(1, 86_400_000L), Importance.MEDIUM,
            "Length of the tumbling statistics windows, in milliseconds of event time (the input record timestamp).")
        .define(STATS_GRACE_MS, Type.LONG, 10_000L, ConfigDef.Range.between(0, 86_400_000L), Importance.LOW,
            "How long after a window's end records for it are still counted; later ones are reported as lateCount.")
        .define(STATS_LOW_CONFIDENCE_THRESHOLD, Type.DOUBLE, 0.5, ConfigDef.Range.between(0.0, 1.0), Importance.LOW,
            "Top-1 scores below this count as low confidence in the statistics.")
        .define(STATS_DRIFT_PSI_THRESHOLD, Type.DOUBLE, 0.2, POSITIVE_FINITE, Importance.LOW,
            "Drift is flagged when the PSI of the class or of the confidence distribution exceeds this.")
        .define(STATS_DRIFT_EMBEDDING_THRESHOLD, Type.DOUBLE, 0.5, POSITIVE_FINITE, Importance.LOW,
            "Drift is also flagged when the standardised embedding mean shift (in reference standard deviations, "
                + "averaged over dimensions) exceeds this.")
        .define(STATS_REFERENCE_MIN_COUNT, Type.LONG, 50L, ConfigDef.Range.between(1, Long.MAX_VALUE), Importance.LOW,
            "Fewest images the first full window of a model version needs to become its drift reference.")
        .define(STATS_REFERENCE_FILES, Type.LIST, "", Importance.LOW,
            "Drift reference files (JSON, from retina evaluate --write-reference), comma separated; a file's model "
                + "version is compared with it instead of its first full window. May be empty.")
        .define(STATS_BY_SOURCE, Type.BOOLEAN, false, Importance.LOW,
            "Keep statistics per model version and image source (true) or per model version only (false).");

    /** Where a setting's value came from, for messages. */
    public enum Source {
        DEFAULT("default"), FILE("file"), ENVIRONMENT("environment"), OVERRIDE("override");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** A raw value and where it came from. */
    private record Raw(String value, Source source, String origin) {
        String describe(String key) {
            return key + "=" + value + " (" + origin + ")";
        }
    }

    private final Map<String, Object> values;
    private final Map<String, Source> sources;
    private final Map<String, String> kafka;
    private final Map<String, String> registry;

    private AppConfig(Map<String, Object> values, Map<String, Source> sources, Map<String, String> kafka,
                      Map<String, String> registry) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
        this.kafka = Collections.unmodifiableMap(kafka);
        this.registry = Collections.unmodifiableMap(registry);
    }

    /**
     * Loads the configuration from all layers.
     *
     * @param file      properties file, or null for none
     * @param env       environment variables (normally {@code System.getenv()})
     * @param overrides explicit settings that win over everything else
     * @throws AppConfigException naming the first offending key, its source and what was expected
     */
    public static AppConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, Raw> raw = new LinkedHashMap<>();
        if (file != null) {
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException e) {
                throw new AppConfigException(null, "Cannot read the configuration file " + file + ": " + e, e);
            } catch (IllegalArgumentException e) {
                throw new AppConfigException(null, "The configuration file " + file + " is not a valid properties "
                    + "file: " + e.getMessage(), e);
            }
            for (String key : new TreeSet<>(props.stringPropertyNames())) {
                raw.put(key, new Raw(props.getProperty(key).trim(), Source.FILE, "from file " + file));
            }
        }
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || IGNORED_ENVIRONMENT.contains(name)) {
                continue;
            }
            String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            raw.put(key, new Raw(e.getValue().trim(), Source.ENVIRONMENT, "from environment variable " + name));
        }
        for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
            if (e.getValue() == null) {
                throw new AppConfigException(e.getKey(), "Setting " + e.getKey() + " (override) has no value");
            }
            raw.put(e.getKey().trim(), new Raw(e.getValue().trim(), Source.OVERRIDE, "override"));
        }
        return resolve(raw);
    }

    /** A configuration of the defaults with these settings applied, as if they were overrides. */
    public static AppConfig of(Map<String, String> settings) {
        return load(null, Map.of(), settings);
    }

    private static AppConfig resolve(Map<String, Raw> raw) {
        Map<String, ConfigDef.ConfigKey> keys = TABLE.configKeys();
        Set<String> registryKeys = AvroSerdeConfig.CONFIG.names();
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Source> sources = new LinkedHashMap<>();
        Map<String, String> kafka = new TreeMap<>();
        Map<String, String> registry = new TreeMap<>();
        for (Map.Entry<String, Raw> e : raw.entrySet()) {
            String key = e.getKey();
            Raw value = e.getValue();
            if (keys.containsKey(key)) {
                continue;
            }
            if (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length()) {
                String client = key.substring(KAFKA_PREFIX.length());
                String owner = APP_OWNED_KAFKA_KEYS.get(client);
                if (owner != null) {
                    throw new AppConfigException(key, "Setting " + value.describe(key) + " is not allowed: the "
                        + "application sets Kafka's " + client + " itself; use '" + owner + "' instead");
                }
                kafka.put(client, value.value());
            } else if (isPlainClientKey(key)) {
                kafka.put(key, value.value());
            } else if (registryKeys.contains(key)) {
                registry.put(key, value.value());
            } else {
                throw new AppConfigException(key, "Unknown setting " + value.describe(key) + suggestion(key)
                    + "; expected one of the application settings " + new TreeSet<>(keys.keySet())
                    + ", a Kafka setting prefixed '" + KAFKA_PREFIX + "', a client security setting "
                    + PLAIN_CLIENT_KEYS + " or a schema registry setting " + new TreeSet<>(registryKeys));
            }
        }
        for (ConfigDef.ConfigKey key : keys.values()) {
            Raw given = raw.get(key.name);
            Object parsed;
            try {
                parsed = given == null ? key.defaultValue : ConfigDef.parseType(key.name, given.value(), key.type);
                if (key.validator != null && parsed != null) {
                    key.validator.ensureValid(key.name, parsed);
                }
            } catch (ConfigException ex) {
                String what = given == null ? key.name + " (default)" : given.describe(key.name);
                throw new AppConfigException(key.name, "Invalid setting " + what + ": " + expected(key, ex), ex);
            }
            values.put(key.name, parsed);
            sources.put(key.name, given == null ? Source.DEFAULT : given.source());
        }
        String modelDir = (String) values.get(MODEL_DIR);
        if (modelDir != null && modelDir.isBlank()) {
            values.put(MODEL_DIR, null);
        }
        if (values.get(INSTANCE_ID) == null || ((String) values.get(INSTANCE_ID)).isBlank()) {
            values.put(INSTANCE_ID, defaultInstanceId());
        }
        registry.put(SCHEMA_REGISTRY_URL, (String) values.get(SCHEMA_REGISTRY_URL));
        checkTimeoutAgainstPollInterval(values, kafka, raw);
        return new AppConfig(values, sources, kafka, registry);
    }

    private static void checkTimeoutAgainstPollInterval(Map<String, Object> values, Map<String, String> kafka,
                                                        Map<String, Raw> raw) {
        long pollInterval = DEFAULT_MAX_POLL_INTERVAL_MS;
        String configured = kafka.get("max.poll.interval.ms");
        if (configured != null) {
            try {
                pollInterval = Long.parseLong(configured);
            } catch (NumberFormatException e) {
                throw new AppConfigException(MAX_POLL_INTERVAL_KEY, "Invalid setting "
                    + raw.get(MAX_POLL_INTERVAL_KEY).describe(MAX_POLL_INTERVAL_KEY)
                    + ": expected a number of milliseconds");
            }
        }
        long timeout = (Long) values.get(INFERENCE_TIMEOUT_MS);
        // A stream thread must poll again within max.poll.interval.ms; one slow image may cost up to the timeout,
        // so keep it to at most half of the interval to leave room for the rest of the batch.
        if (timeout * 2 > pollInterval) {
            Raw given = raw.get(INFERENCE_TIMEOUT_MS);
            String what = given == null ? INFERENCE_TIMEOUT_MS + "=" + timeout + " (default)"
                : given.describe(INFERENCE_TIMEOUT_MS);
            throw new AppConfigException(INFERENCE_TIMEOUT_MS, "Invalid setting " + what + ": expected at most half "
                + "of max.poll.interval.ms (" + pollInterval + " ms), i.e. <= " + pollInterval / 2
                + " ms, so that a slow image is dead-lettered instead of causing a rebalance");
        }
    }

    private static String expected(ConfigDef.ConfigKey key, ConfigException ex) {
        String message = ex.getMessage();
        String validator = key.validator == null ? "" : key.validator.toString();
        boolean describes = !validator.isEmpty() && !validator.startsWith("dev.retina") && !validator.contains("$$");
        return message + " (expected " + key.type.name().toLowerCase(Locale.ROOT)
            + (describes ? " " + validator : "") + ")";
    }

    private static boolean isPlainClientKey(String key) {
        for (String plain : PLAIN_CLIENT_KEYS) {
            if (plain.endsWith(".") ? key.startsWith(plain) && key.length() > plain.length() : key.equals(plain)) {
                return true;
            }
        }
        return false;
    }

    private static String suggestion(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : TABLE.names()) {
            int d = editDistance(key, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitution, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    public String applicationId() {
        return (String) values.get(APPLICATION_ID);
    }

    /** Bootstrap servers joined with commas. */
    @SuppressWarnings("unchecked")
    public String bootstrapServers() {
        return String.join(",", (List<String>) values.get(BOOTSTRAP_SERVERS));
    }

    public String schemaRegistryUrl() {
        return (String) values.get(SCHEMA_REGISTRY_URL);
    }

    public String inputTopic() {
        return (String) values.get(INPUT_TOPIC);
    }

    public String outputTopic() {
        return (String) values.get(OUTPUT_TOPIC);
    }

    public String dlqTopic() {
        return (String) values.get(DLQ_TOPIC);
    }

    public String statsTopic() {
        return (String) values.get(STATS_TOPIC);
    }

    public String modelsTopic() {
        return (String) values.get(MODELS_TOPIC);
    }

    public int topK() {
        return (Integer) values.get(TOP_K);
    }

    public int engineThreads() {
        return (Integer) values.get(ENGINE_THREADS);
    }

    public int streamThreads() {
        return (Integer) values.get(STREAM_THREADS);
    }

    /** The model package directory, when one is configured. */
    public Optional<Path> modelDir() {
        String dir = (String) values.get(MODEL_DIR);
        return dir == null ? Optional.empty() : Optional.of(Path.of(dir));
    }

    /** The model repository to follow, when one is configured. */
    public Optional<Path> modelRepository() {
        String dir = (String) values.get(MODEL_REPOSITORY);
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    /** The name of the hot-reloaded model: {@code model.name}, else the parent directory name of model.dir. */
    public Optional<String> modelName() {
        String name = (String) values.get(MODEL_NAME);
        if (name != null && !name.isBlank()) {
            return Optional.of(name);
        }
        return modelDir().map(d -> d.toAbsolutePath().normalize().getParent())
            .filter(p -> p != null && p.getFileName() != null).map(p -> p.getFileName().toString());
    }

    public Duration modelPollInterval() {
        return Duration.ofMillis((Long) values.get(MODEL_POLL_INTERVAL_MS));
    }

    /** Whether the models topic is followed. */
    public boolean followModels() {
        return (Boolean) values.get(MODELS_FOLLOW);
    }

    /** Whether the served model can change while running (a repository or the models topic is followed). */
    public boolean hotReload() {
        return modelRepository().isPresent() || followModels();
    }

    public Duration modelCanaryBudget() {
        return Duration.ofMillis((Long) values.get(MODEL_CANARY_BUDGET_MS));
    }

    public double modelGoldenMinAccuracy() {
        return (Double) values.get(MODEL_GOLDEN_MIN_ACCURACY);
    }

    public Duration modelStartWait() {
        return Duration.ofMillis((Long) values.get(MODEL_START_WAIT_MS));
    }

    /** {@code exactly_once_v2} or {@code at_least_once}. */
    public String processingGuarantee() {
        return (String) values.get(PROCESSING_GUARANTEE);
    }

    public Duration inferenceTimeout() {
        return Duration.ofMillis((Long) values.get(INFERENCE_TIMEOUT_MS));
    }

    public String instanceId() {
        return (String) values.get(INSTANCE_ID);
    }

    public long maxImageBytes() {
        return (Long) values.get(MAX_IMAGE_BYTES);
    }

    public long maxImagePixels() {
        return (Long) values.get(MAX_IMAGE_PIXELS);
    }

    public int topicPartitions() {
        return (Integer) values.get(TOPIC_PARTITIONS);
    }

    /** The replication factor of created topics; empty for the broker's default. */
    public Optional<Short> topicReplicationFactor() {
        short rf = (Short) values.get(TOPIC_REPLICATION_FACTOR);
        return rf == -1 ? Optional.empty() : Optional.of(rf);
    }

    public boolean createTopics() {
        return (Boolean) values.get(TOPICS_CREATE);
    }

    public String httpHost() {
        return (String) values.get(HTTP_HOST);
    }

    /** Port of the health and metrics endpoint: 0 for any free port, empty when disabled (-1). */
    public Optional<Integer> httpPort() {
        int port = (Integer) values.get(HTTP_PORT);
        return port < 0 ? Optional.empty() : Optional.of(port);
    }

    /** Whether the live dashboard is served on the HTTP endpoint. */
    public boolean dashboardEnabled() {
        return (Boolean) values.get(DASHBOARD_ENABLED);
    }

    /** How many recent classified images the dashboard keeps, with their thumbnails. */
    public int dashboardThumbnails() {
        return (Integer) values.get(DASHBOARD_THUMBNAILS);
    }

    /** Whether windowed feature statistics are computed and written to {@link #statsTopic()}. */
    public boolean statsEnabled() {
        return (Boolean) values.get(STATS_ENABLED);
    }

    /** Length of the tumbling statistics windows. */
    public Duration statsWindow() {
        return Duration.ofMillis((Long) values.get(STATS_WINDOW_MS));
    }

    /** Grace period of the statistics windows. */
    public Duration statsGrace() {
        return Duration.ofMillis((Long) values.get(STATS_GRACE_MS));
    }

    public double statsLowConfidenceThreshold() {
        return (Double) values.get(STATS_LOW_CONFIDENCE_THRESHOLD);
    }

    public double statsDriftPsiThreshold() {
        return (Double) values.get(STATS_DRIFT_PSI_THRESHOLD);
    }

    public double statsDriftEmbeddingThreshold() {
        return (Double) values.get(STATS_DRIFT_EMBEDDING_THRESHOLD);
    }

    public long statsReferenceMinCount() {
        return (Long) values.get(STATS_REFERENCE_MIN_COUNT);
    }

    /** Drift reference files, in the order given (possibly none). */
    @SuppressWarnings("unchecked")
    public List<Path> statsReferenceFiles() {
        List<Path> files = new ArrayList<>();
        for (String f : (List<String>) values.get(STATS_REFERENCE_FILES)) {
            if (!f.isBlank()) {
                files.add(Path.of(f.strip()));
            }
        }
        return List.copyOf(files);
    }

    public boolean statsBySource() {
        return (Boolean) values.get(STATS_BY_SOURCE);
    }

    /** Kafka settings passed through ({@code kafka.} prefix removed, plain security keys as given), sorted by key. */
    public Map<String, String> kafkaSettings() {
        return kafka;
    }

    /** Settings for the schema registry serdes (AvroSerdeConfig keys), including {@code schema.registry.url}. */
    public Map<String, String> registrySettings() {
        return registry;
    }

    /** Where the value of an application setting came from. */
    public Source source(String key) {
        Source source = sources.get(key);
        if (source == null) {
            throw new IllegalArgumentException("not an application setting: " + key + "; expected one of "
                + new TreeSet<>(TABLE.names()));
        }
        return source;
    }

    /**
     * The effective settings as text lines {@code key=value (source)}, for the start-up log. Values of pass-through
     * keys that look secret (password, jaas, secret, user.info) are masked.
     */
    public List<String> describe() {
        List<String> lines = new java.util.ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            String text = v instanceof List<?> list ? String.join(",", list.stream().map(Object::toString).toList())
                : String.valueOf(v);
            lines.add(e.getKey() + "=" + text + " (" + sources.get(e.getKey()) + ")");
        }
        kafka.forEach((k, v) -> lines.add(KAFKA_PREFIX + k + "=" + mask(k, v)));
        registry.forEach((k, v) -> {
            if (!k.equals(SCHEMA_REGISTRY_URL)) {
                lines.add(k + "=" + mask(k, v));
            }
        });
        return lines;
    }

    private static String mask(String key, String value) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("user.info")
            ? "[hidden]" : value;
    }

    @Override
    public String toString() {
        return "AppConfig" + describe();
    }
}
