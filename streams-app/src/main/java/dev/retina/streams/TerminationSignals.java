package dev.retina.streams;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGTERM and SIGINT instead of the JVM's default, so that a stop request becomes a graceful close
 * followed by the exit code the application chooses (the default handler would exit with 143 or 130). Uses
 * {@code sun.misc.Signal} (module jdk.unsupported), as Kafka's own command-line tools do; where it is missing, the
 * caller keeps the default behaviour and should rely on a shutdown hook.
 */
final class TerminationSignals {

    private static final Logger LOG = LoggerFactory.getLogger(TerminationSignals.class);
    static final List<String> SIGNALS = List.of("TERM", "INT");

    private TerminationSignals() {
    }

    /**
     * Calls {@code action} (on the JVM's signal thread) when TERM or INT arrives.
     *
     * @return true if the handlers were installed
     */
    @SuppressWarnings("removal")
    static boolean install(Runnable action) {
        try {
            for (String name : SIGNALS) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    LOG.info("SIG{} received: stopping gracefully", signal.getName());
                    action.run();
                });
            }
            return true;
        } catch (IllegalArgumentException | LinkageError e) {
            LOG.warn("Cannot handle termination signals ({}); stopping through the shutdown hook only", e.toString());
            return false;
        }
    }
}
