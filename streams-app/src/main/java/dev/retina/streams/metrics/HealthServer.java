package dev.retina.streams.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint, on the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /health}: liveness; 200 while the application can still make progress, 503 once Kafka Streams
 *       has failed or stopped (restart me);</li>
 *   <li>{@code GET /ready}: readiness; 200 when Kafka Streams is RUNNING and a model is loaded, 503 otherwise;</li>
 *   <li>{@code GET /metrics}: the Prometheus text exposition.</li>
 * </ul>
 * Health bodies are one JSON object: {@code {"status":"UP"|"DOWN","detail":"..."}}. Further paths can be served
 * by {@link Routes} (the live dashboard). Other paths get 404, other methods 405.
 */
public final class HealthServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** What the endpoints report. Implementations must be thread-safe and fast (no I/O). */
    public interface Probe {
        /** False once the application cannot recover by itself. */
        boolean live();

        /** True when records are being classified. */
        boolean ready();

        /** One line for the response body, e.g. the Kafka Streams state and the model version. */
        String detail();
    }

    /**
     * More paths on the same server. The HTTP server has one thread: a route must answer quickly and hand anything
     * long-lived (an event stream) to a thread of its own. Only GET and HEAD requests reach it.
     */
    public interface Routes {
        /** Whether {@code path} is one of these routes. */
        boolean handles(String path);

        /** The paths, for the 404 message and the start-up log. */
        String describe();

        /** Answers the request; it owns {@code exchange} and must close it, now or later from another thread. */
        void handle(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private HealthServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code host:port} (port 0 picks a free one).
     *
     * @param metrics the Prometheus text, or null when there is none (then /metrics answers 404)
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static HealthServer start(String host, int port, Probe probe, Supplier<String> metrics) {
        return start(host, port, probe, metrics, null);
    }

    /**
     * As {@link #start(String, int, Probe, Supplier)}, also serving {@code routes} (null for none).
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static HealthServer start(String host, int port, Probe probe, Supplier<String> metrics, Routes routes) {
        Objects.requireNonNull(probe, "probe");
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve health and metrics on " + host + ":" + port + ": "
                + e.getMessage() + " (set http.port to a free port, 0 for any, or -1 to disable)", e);
        }
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "retina-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(pool);
        http.createContext("/", exchange -> handle(exchange, probe, metrics, routes));
        http.start();
        HealthServer server = new HealthServer(http, pool);
        LOG.info("Health and metrics at http://{}:{}/ (health, ready, metrics{})", host, server.port(),
            routes == null ? "" : "; " + routes.describe());
        return server;
    }

    private static void handle(HttpExchange exchange, Probe probe, Supplier<String> metrics, Routes routes)
        throws IOException {
        boolean handedOver = false;
        try {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "expected GET or HEAD\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/health" -> status(exchange, probe.live(), probe.detail());
                case "/ready" -> status(exchange, probe.ready(), probe.detail());
                case "/metrics" -> {
                    String text = metrics == null ? null : metrics.get();
                    if (text == null) {
                        send(exchange, 404, "text/plain; charset=utf-8", "no metrics registry\n");
                    } else {
                        send(exchange, 200, PROMETHEUS_CONTENT_TYPE, text);
                    }
                }
                default -> {
                    String path = exchange.getRequestURI().getPath();
                    if (routes != null && routes.handles(path)) {
                        handedOver = true;
                        routes.handle(exchange);
                    } else {
                        send(exchange, 404, "text/plain; charset=utf-8", "unknown path; expected /health, /ready or "
                            + "/metrics" + (routes == null ? "" : ", or " + routes.describe()) + "\n");
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Health endpoint failed on {}", exchange.getRequestURI(), e);
            handedOver = false;  // a route that failed did not take the exchange over
        } finally {
            if (!handedOver) {
                exchange.close();
            }
        }
    }

    private static void status(HttpExchange exchange, boolean up, String detail) throws IOException {
        String body = "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"detail\":\"" + json(detail) + "\"}\n";
        send(exchange, up ? 200 : 503, "application/json", body);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String json(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
