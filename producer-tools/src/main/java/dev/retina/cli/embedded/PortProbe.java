package dev.retina.cli.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;

/**
 * Finds free TCP ports and checks given ones before a node binds them, so a clash is reported as
 * "port P on host H is in use" instead of a bind failure deep inside broker startup.
 */
final class PortProbe {

    private PortProbe() {
    }

    /** True when {@code port} can be bound on {@code bindHost} right now. */
    static boolean isFree(String bindHost, int port) {
        try (ServerSocket s = new ServerSocket()) {
            // Same flag Kafka's acceptor uses: a socket in TIME_WAIT from a previous run does not block us.
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(bindHost, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A port the OS reports free on {@code bindHost}, not in {@code taken}. Another process may grab it
     * before the node binds it; the window is small and the node then fails with a bind error.
     */
    static int freePort(String bindHost, Set<Integer> taken) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(bindHost, 0));
                int port = s.getLocalPort();
                if (!taken.contains(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new EmbeddedKafkaException(EmbeddedKafkaException.Reason.STARTUP_FAILED,
                        "cannot bind any port on host '" + bindHost + "'", e);
            }
        }
        throw new EmbeddedKafkaException(EmbeddedKafkaException.Reason.STARTUP_FAILED,
                "no free port found on host '" + bindHost + "' after 20 attempts");
    }
}
