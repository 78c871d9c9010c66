package dev.retina.streams.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.sun.net.httpserver.HttpExchange;

import dev.retina.streams.metrics.HealthServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP routes, served by the application's {@link HealthServer}:
 *
 * <ul>
 *   <li>{@code GET /} and {@code /ui}: the page (text/html);</li>
 *   <li>{@code GET /assets/dashboard.js}, {@code /assets/dashboard.css}: its script and style, from the classpath
 *       folder {@code dashboard/} (a fixed list: no path from the request reaches the class loader);</li>
 *   <li>{@code GET /api/state}: the {@link Views.Snapshot} as JSON;</li>
 *   <li>{@code GET /events}: the Server-Sent Events stream ({@code snapshot} first, then live events); 503 when the
 *       client limit is reached.</li>
 * </ul>
 * The HTTP thread never waits on an event stream: it sends the headers and hands the exchange to the client's own
 * writer thread.
 */
public final class DashboardRoutes implements HealthServer.Routes {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardRoutes.class);
    static final String HTML = "text/html; charset=utf-8";
    static final String JSON = "application/json";
    static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private record Asset(String resource, String contentType, byte[] bytes) {
    }

    private final DashboardState state;
    private final Map<String, Asset> assets;

    DashboardRoutes(DashboardState state) {
        this.state = Objects.requireNonNull(state, "state");
        Asset page = load("index.html", HTML);
        this.assets = Map.of(
            "/", page,
            "/ui", page,
            "/assets/dashboard.js", load("dashboard.js", "text/javascript; charset=utf-8"),
            "/assets/dashboard.css", load("dashboard.css", "text/css; charset=utf-8"));
    }

    private static Asset load(String name, String contentType) {
        String resource = "/dashboard/" + name;
        try (InputStream in = DashboardRoutes.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("expected the dashboard asset " + resource
                    + " on the classpath, found none (a broken build)");
            }
            return new Asset(resource, contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard asset " + resource, e);
        }
    }

    @Override
    public boolean handles(String path) {
        return assets.containsKey(path) || "/api/state".equals(path) || "/events".equals(path);
    }

    @Override
    public String describe() {
        return "/, /ui, /api/state, /events";
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if ("/events".equals(path)) {
            events(exchange);
            return;
        }
        try (exchange) {
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if ("/api/state".equals(path)) {
                send(exchange, JSON, EventJson.json(state.snapshot()).getBytes(StandardCharsets.UTF_8));
            } else {
                Asset asset = assets.get(path);
                send(exchange, asset.contentType(), asset.bytes());
            }
        }
    }

    private void events(HttpExchange exchange) throws IOException {
        if ("HEAD".equals(exchange.getRequestMethod())) {
            try (exchange) {
                exchange.getResponseHeaders().set("Content-Type", EVENT_STREAM);
                exchange.sendResponseHeaders(200, -1);
            }
            return;
        }
        Optional<SseBroadcaster.Client> client = state.connect(new ExchangeSink(exchange));
        if (client.isEmpty()) {
            try (exchange) {
                exchange.getResponseHeaders().set("Retry-After", "10");
                send(exchange, 503, "text/plain; charset=utf-8", ("too many dashboard clients; the limit is "
                    + state.clientLimit() + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void send(HttpExchange exchange, String contentType, byte[] body) throws IOException {
        send(exchange, 200, contentType, body);
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * The response body of an exchange as an {@link SseSink}. The headers are sent by the client's writer thread
     * when it first asks for the body, so a refused client can still get a 503.
     */
    private static final class ExchangeSink implements SseSink {
        private final HttpExchange exchange;

        ExchangeSink(HttpExchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public OutputStream body() throws IOException {
            exchange.getResponseHeaders().set("Content-Type", EVENT_STREAM);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            return exchange.getResponseBody();
        }

        @Override
        public void close() {
            try {
                exchange.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing a dashboard event stream failed: {}", e.toString());
            }
        }
    }
}
