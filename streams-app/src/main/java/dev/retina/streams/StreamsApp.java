package dev.retina.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the classification application: {@code StreamsApp [CONFIG_FILE]}. Settings come from the file,
 * then {@code RETINA_*} environment variables (see {@link AppConfig}).
 *
 * <p>SIGTERM and SIGINT close the application gracefully (records in flight finished, offsets committed, at most
 * {@link #CLOSE_TIMEOUT}). Exit codes: 0 after a clean stop, 1 when Kafka Streams stopped in ERROR, 2 for a
 * configuration or start-up error.
 */
public final class StreamsApp {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

    private StreamsApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 1) {
            System.err.println("usage: StreamsApp [CONFIG_FILE]; expected at most one argument, found " + args.length);
            System.exit(2);
        }
        StreamsAppRunner app;
        try {
            AppConfig config = AppConfig.load(args.length == 1 ? Path.of(args[0]) : null, System.getenv(), Map.of());
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
