package dev.retina.schemas.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process schema registry speaking the Confluent REST API (Avro only), on the JDK's HTTP server.
 *
 * <p>Behaves like Confluent's where clients can tell: global ids (an identical schema, compared in Avro's
 * normalised JSON form, gets the same id under every subject), dense versions per subject, default compatibility
 * BACKWARD with all seven levels checked by Avro's {@code SchemaCompatibility}, soft deletes, and error bodies
 * {@code {"error_code": N, "message": "..."}} with Confluent's codes. Routes are listed on
 * {@link RegistryHttpHandler}.
 *
 * <p>State lives in a {@link SchemaStore}: {@link #inMemory(int)} for tests, or {@link #kafkaBacked(String, int)}
 * for a compacted Kafka topic ({@code _schemas}) that is read back on start, so ids survive restarts. One registry
 * process should write to a store at a time.
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked("localhost:9092", 0)) {
 *     SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url());
 * }
 * }</pre>
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final SchemaStore store;
    private final String url;
    private final InFlight inFlight = new InFlight();
    private boolean closed;

    /** Counts requests being served, so close() can wait for them instead of a fixed delay. */
    private static final class InFlight {
        private int active;
        private boolean closing;

        synchronized boolean enter() {
            if (closing) {
                return false;
            }
            active++;
            return true;
        }

        synchronized void exit() {
            active--;
            notifyAll();
        }

        /** Refuses new requests and waits up to {@code millis} for running ones to finish. */
        synchronized void drain(long millis) throws InterruptedException {
            closing = true;
            long deadline = System.currentTimeMillis() + millis;
            long left = millis;
            while (active > 0 && left > 0) {
                wait(left);
                left = deadline - System.currentTimeMillis();
            }
        }
    }

    private EmbeddedSchemaRegistry(Builder builder) {
        this.store = builder.store != null ? builder.store : new InMemorySchemaStore();
        boolean started = false;
        ExecutorService pool = null;
        HttpServer http = null;
        try {
            RegistryService service = new RegistryService(store, builder.defaultCompatibility);
            http = HttpServer.create(new InetSocketAddress(builder.host, builder.port), 50);
            AtomicInteger threadNumber = new AtomicInteger();
            pool = Executors.newFixedThreadPool(builder.threads, r -> {
                Thread t = new Thread(r, "schema-registry-http-" + threadNumber.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            http.setExecutor(pool);
            RegistryHttpHandler routes = new RegistryHttpHandler(service);
            http.createContext("/", exchange -> {
                if (!inFlight.enter()) {
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
                try {
                    routes.handle(exchange);
                } finally {
                    inFlight.exit();
                }
            });
            http.start();
            started = true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the schema registry on " + builder.host + ":"
                + builder.port + ": " + e.getMessage(), e);
        } finally {
            if (!started) {
                if (http != null) {
                    http.stop(0);
                }
                if (pool != null) {
                    pool.shutdownNow();
                }
                store.close();
            }
        }
        this.server = http;
        this.executor = pool;
        String advertised = builder.host.equals("0.0.0.0") || builder.host.equals("::") ? "localhost" : builder.host;
        if (advertised.indexOf(':') >= 0) {
            advertised = "[" + advertised + "]";
        }
        this.url = "http://" + advertised + ":" + server.getAddress().getPort();
        LOG.info("Schema registry listening at {} ({})", url, store.describe());
    }

    /** A registry on localhost keeping its state in memory; port 0 picks a free port. */
    public static EmbeddedSchemaRegistry inMemory(int port) {
        return builder().optPort(port).start();
    }

    /**
     * A registry on localhost storing its state in the compacted topic {@code _schemas} of a Kafka cluster
     * (created if missing) and rebuilding it from there; port 0 picks a free port.
     */
    public static EmbeddedSchemaRegistry kafkaBacked(String bootstrapServers, int port) {
        return builder().optPort(port).optStore(KafkaSchemaStore.builder().setBootstrapServers(bootstrapServers)
            .build()).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Base URL, e.g. {@code http://localhost:40123}. */
    public String url() {
        return url;
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops serving (requests in flight get up to five seconds to finish) and closes the store. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            inFlight.drain(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // JDK 17's stop(n) always waits n seconds; in-flight requests were drained above, so 0 loses nothing.
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        store.close();
        LOG.info("Schema registry at {} stopped", url);
    }

    /** Builder: every setting is optional. */
    public static final class Builder {
        private String host = "localhost";
        private int port;
        private int threads = 4;
        private SchemaStore store;
        private CompatibilityLevel defaultCompatibility = CompatibilityLevel.BACKWARD;

        private Builder() {
        }

        /** Address to bind (default localhost; 0.0.0.0 for all interfaces). */
        public Builder optHost(String bindHost) {
            this.host = Objects.requireNonNull(bindHost, "host");
            return this;
        }

        /** Port to bind; 0 (the default) picks a free one. */
        public Builder optPort(int bindPort) {
            if (bindPort < 0 || bindPort > 65535) {
                throw new IllegalArgumentException("Port must be in [0, 65535], found " + bindPort);
            }
            this.port = bindPort;
            return this;
        }

        /** HTTP worker threads (default 4). */
        public Builder optThreads(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("Threads must be >= 1, found " + count);
            }
            this.threads = count;
            return this;
        }

        /** Where state is kept (default: a new {@link InMemorySchemaStore}). The registry closes it. */
        public Builder optStore(SchemaStore schemaStore) {
            this.store = schemaStore;
            return this;
        }

        /**
         * Keep state in a Kafka topic; shorthand for {@code optStore(KafkaSchemaStore...)}.
         *
         * @param bootstrapServers  Kafka bootstrap servers
         * @param topic             topic name (Confluent's default is {@code _schemas})
         * @param clientProperties  extra Kafka client settings (security: SSL/SASL), may be empty
         */
        public Builder optKafkaStore(String bootstrapServers, String topic, Map<String, Object> clientProperties) {
            this.store = KafkaSchemaStore.builder().setBootstrapServers(bootstrapServers).optTopic(topic)
                .optClientProperties(new HashMap<>(clientProperties)).build();
            return this;
        }

        /** Global compatibility level until changed through {@code PUT /config} (default BACKWARD). */
        public Builder optDefaultCompatibility(CompatibilityLevel level) {
            this.defaultCompatibility = Objects.requireNonNull(level, "level");
            return this;
        }

        /** Loads the store and starts serving. */
        public EmbeddedSchemaRegistry start() {
            return new EmbeddedSchemaRegistry(this);
        }
    }
}
