package dev.retina.cli;

import dev.retina.streams.AppConfig;
import dev.retina.streams.AppConfigException;
import dev.retina.streams.StreamsAppRunner;
import dev.retina.streams.TerminationSignals;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code retina app}: the classification application against any Kafka cluster and Confluent-compatible schema
 * registry.
 *
 * <p>Settings come from four layers, later wins: the application's defaults, the properties file
 * ({@code --config}, or the file named by {@code RETINA_CONFIG}), {@code RETINA_*} environment variables, then the
 * flags of this command ({@code --bootstrap-servers}, {@code --schema-registry-url}, {@code --model-dir} and any
 * {@code -X key=value}). Keys and their meaning are those of {@link AppConfig}; client security settings
 * ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}, or any {@code kafka.<setting>}) pass through to Kafka.
 *
 * <p>Once Kafka Streams is started, one line goes to stdout: {@code retina app: instance=ID http=URL} (or
 * {@code http=disabled}). SIGTERM or SIGINT stop it gracefully (records in flight finished, offsets committed) and
 * the command exits 0; 1 when Kafka Streams stopped in ERROR or the start failed, 2 for an invalid setting.
 */
@Command(
        name = "app",
        mixinStandardHelpOptions = true,
        description = {
            "Run the streams classification application against a Kafka cluster and schema registry.",
            "Settings: defaults < --config FILE < RETINA_* environment < flags. Stops gracefully on SIGTERM/Ctrl-C."
        })
public final class AppCommand implements Callable<Integer> {

    /** How long a stop request waits for Kafka Streams to finish its records and commit. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    /** Names the configuration file when {@code --config} is not given (as for the plain application main). */
    static final String CONFIG_ENV = "RETINA_CONFIG";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Application properties file (keys as in streams-app's README); default: env RETINA_CONFIG.")
    Path configFile;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka bootstrap servers (wins over the file and RETINA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = {"-r", "--schema-registry-url"}, paramLabel = "URL",
            description = "Confluent-compatible schema registry (wins over the file and RETINA_SCHEMA_REGISTRY_URL).")
    String schemaRegistryUrl;

    @Option(names = {"-m", "--model-dir"}, paramLabel = "DIR",
            description = "Model package directory <repo>/<name>/<version>/ (model.onnx, labels.txt, preprocess.json).")
    Path modelDir;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "Any application setting, e.g. -X top.k=3 -X kafka.security.protocol=SSL; repeatable;"
                    + " wins over file and environment.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The process environment; tests replace it. */
    Map<String, String> environment = System.getenv();

    /**
     * The configuration these arguments and {@link #environment} describe.
     *
     * @throws CommandLine.ParameterException for a missing file or an invalid setting (exit code 2)
     */
    AppConfig config() {
        Path file = configFile;
        if (file == null) {
            String named = environment.get(CONFIG_ENV);
            file = named == null || named.isBlank() ? null : Path.of(named.trim());
        }
        if (file != null && !Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "expected --config (or " + CONFIG_ENV
                    + ") to name a properties file, found " + (Files.exists(file) ? "a directory" : "nothing")
                    + " at " + file);
        }
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        putFlag(overrides, AppConfig.BOOTSTRAP_SERVERS, "--bootstrap-servers", bootstrapServers);
        putFlag(overrides, AppConfig.SCHEMA_REGISTRY_URL, "--schema-registry-url", schemaRegistryUrl);
        putFlag(overrides, AppConfig.MODEL_DIR, "--model-dir", modelDir == null ? null : modelDir.toString());
        try {
            AppConfig config = AppConfig.load(file, environment, overrides);
            if (config.modelDir().isEmpty() && !config.hotReload()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "expected a model: give"
                        + " --model-dir DIR (RETINA_MODEL_DIR, model.dir), or follow releases with"
                        + " model.repository or models.follow=true");
            }
            return config;
        } catch (AppConfigException e) {
            CommandLine.ParameterException refused = new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            refused.initCause(e);
            throw refused;
        }
    }

    private void putFlag(Map<String, String> overrides, String key, String flag, String value) {
        if (value == null) {
            return;
        }
        String previous = overrides.get(key);
        if (previous != null && !previous.equals(value)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "expected " + key + " once, found "
                    + flag + " " + value + " and -X " + key + "=" + previous);
        }
        overrides.put(key, value);
    }

    @Override
    public Integer call() throws InterruptedException {
        AppConfig config = config();
        StreamsAppRunner app = StreamsAppRunner.start(config);
        TerminationSignals.install(() -> app.close(CLOSE_TIMEOUT));
        // Still needed when the JVM is stopped some other way (a signal not handled above, System.exit elsewhere).
        Thread hook = new Thread(() -> app.close(CLOSE_TIMEOUT), "retina-app-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println("retina app: instance=" + config.instanceId() + " http=" + httpAddress(config, app.httpPort())
                + " input=" + config.inputTopic() + " output=" + config.outputTopic() + " dlq=" + config.dlqTopic());
        out.flush();
        boolean failed;
        try {
            app.awaitStopped();
            failed = app.state() == KafkaStreams.State.ERROR;
        } finally {
            app.close(CLOSE_TIMEOUT);
            removeHook(hook);
        }
        if (failed) {
            spec.commandLine().getErr().println("retina app: error: Kafka Streams stopped in state ERROR");
            return 1;
        }
        return 0;
    }

    /** {@code http://host:port} of the health and metrics endpoint, or {@code disabled}. */
    static String httpAddress(AppConfig config, int port) {
        if (port < 0) {
            return "disabled";
        }
        String host = config.httpHost();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
            host = "localhost";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook runs and finds the app closed.
        }
    }
}
