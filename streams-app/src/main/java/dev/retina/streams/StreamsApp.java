package dev.retina.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the classification application: {@code StreamsApp [CONFIG_FILE]} (or the file named by
 * {@code RETINA_CONFIG}). Settings come from the file, then {@code RETINA_*} environment variables (see
 * {@link AppConfig}).
 *
 * <p>SIGTERM and SIGINT close the application gracefully (records in flight finished, offsets committed, at most
 * {@link #CLOSE_TIMEOUT}). Exit codes: 0 after a clean stop, 1 when Kafka Streams stopped in ERROR, 2 for a
 * configuration or start-up error.
 */
public final class StreamsApp {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    /** Environment variable naming the configuration file when no argument is given. */
    static final String CONFIG_ENV = "RETINA_CONFIG";

    private StreamsApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 1) {
            System.err.println("usage: StreamsApp [CONFIG_FILE]; expected at most one argument, found " + args.length);
            System.exit(2);
        }
        StreamsAppRunner app;
        try {
            String file = args.length == 1 ? args[0] : System.getenv(CONFIG_ENV);
            AppConfig config = AppConfig.load(file == null || file.isBlank() ? null : Path.of(file), System.getenv(),
                Map.of());
            app = StreamsAppRunner.start(config);
        } catch (RuntimeException e) {
            LOG.error("Cannot start: {}", e.getMessage(), e);
            System.err.println("retina app: error: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamsAppRunner running = app;
        TerminationSignals.install(() -> running.close(CLOSE_TIMEOUT));
        // Still needed when the JVM is stopped some other way (System.exit elsewhere, a signal we do not handle).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.close(CLOSE_TIMEOUT), "retina-shutdown"));
        running.awaitStopped();
        boolean failed = running.state() == KafkaStreams.State.ERROR;
        running.close(CLOSE_TIMEOUT);
        if (failed) {
            LOG.error("Kafka Streams stopped in state ERROR");
        }
        System.exit(failed ? 1 : 0);
    }
}
