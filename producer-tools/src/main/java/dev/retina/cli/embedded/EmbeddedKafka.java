package dev.retina.cli.embedded;

import dev.retina.cli.embedded.EmbeddedKafkaException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster in KRaft mode running inside this JVM ({@code kafka.server.KafkaRaftServer},
 * storage formatted in code). Production classes only: it behaves like a broker started by
 * {@code kafka-server-start.sh}, including controlled shutdown, replication and persistence.
 *
 * <p>Shapes: by default one node that is both broker and controller (node id 1); with
 * {@link Builder#optDedicatedController(int)} one controller (node id 0) plus N brokers (node ids 1..N),
 * for replication and fault tests.
 *
 * <p>Storage: a temporary directory deleted on {@link #close()}, or a given data directory kept on
 * close. A data directory holds {@code embedded-kafka.properties} (cluster id, node ids, ports) and one
 * {@code node-<id>} directory per node. Starting on a directory that already holds a cluster reuses it
 * without reformatting, on the same ports unless others are given, so topics and records survive.
 *
 * <p>Every failure to start (port in use, unusable directory, format failure, invalid configuration,
 * node start failure) raises {@link EmbeddedKafkaException} naming the cause; nothing half-started is
 * left running. {@link #close()} is idempotent.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    /** Node id of the single node of a combined cluster, and of the first broker of a split one. */
    public static final int FIRST_BROKER_ID = 1;
    /** Node id of the dedicated controller of a split cluster. */
    public static final int DEDICATED_CONTROLLER_ID = 0;

    /** Keys the embedded cluster owns; overriding them would break its layout. */
    private static final Set<String> RESERVED_KEYS = Set.of(
            "node.id", "broker.id", "process.roles", "listeners", "advertised.listeners",
            "controller.listener.names", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "inter.broker.listener.name", "listener.security.protocol.map", "log.dirs", "log.dir",
            "metadata.log.dir");

    private final ClusterLayout layout;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final String advertisedHost;
    private final Duration readyTimeout;
    private final Map<Integer, KafkaNode> nodes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(ClusterLayout layout, Path dataDir, boolean deleteOnClose, String advertisedHost,
            Duration readyTimeout, Map<Integer, KafkaNode> nodes) {
        this.layout = layout;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.advertisedHost = advertisedHost;
        this.readyTimeout = readyTimeout;
        this.nodes = nodes;
    }

    /** A builder for a single combined node on a temporary directory and a free port. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The {@code bootstrap.servers} value for clients: every broker as {@code host:port}, comma
     * separated, in node id order (stopped brokers included; clients skip unreachable ones).
     */
    public String bootstrapServers() {
        return layout.brokerPorts().values().stream()
                .map(port -> advertisedHost + ":" + port)
                .collect(Collectors.joining(","));
    }

    /** The advertised host name clients connect to. */
    public String host() {
        return advertisedHost;
    }

    /** The client port of the given broker. */
    public int brokerPort(int brokerId) {
        Integer port = layout.brokerPorts().get(brokerId);
        if (port == null) {
            throw unknownBroker(brokerId);
        }
        return port;
    }

    /** Node ids of all brokers (running or stopped), ascending. */
    public List<Integer> brokerIds() {
        return List.copyOf(layout.brokerPorts().keySet());
    }

    /** The KRaft cluster id, stable across restarts on the same data directory. */
    public String clusterId() {
        return layout.clusterId();
    }

    /** The directory holding all node storage. */
    public Path dataDir() {
        return dataDir;
    }

    /** True when the given node is running. */
    public boolean isRunning(int nodeId) {
        KafkaNode node = nodes.get(nodeId);
        return node != null && node.isRunning();
    }

    /**
     * Stops one broker with a controlled shutdown (its partitions move leadership first), keeping its
     * storage. On a combined cluster this stops the whole node, controller included. Stopping a
     * stopped broker does nothing.
     */
    public void stopBroker(int nodeId) {
        ensureOpen();
        KafkaNode node = brokerNode(nodeId);
        node.stop();
        LOG.info("Stopped broker {}", nodeId);
    }

    /**
     * Starts a stopped broker again on its storage and port (stopping it first if it is running) and
     * waits until it is registered and unfenced.
     */
    public void restartBroker(int nodeId) {
        ensureOpen();
        KafkaNode node = brokerNode(nodeId);
        node.stop();
        node.start();
        awaitBrokersServing();
        LOG.info("Restarted broker {} on {}:{}", nodeId, advertisedHost, layout.brokerPorts().get(nodeId));
    }

    /**
     * Shuts every node down cleanly: brokers first (controlled shutdown, in parallel), then the
     * controller; deletes the data directory when it was temporary. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<Throwable> failures = new ArrayList<>();
        List<CompletableFuture<Void>> brokerStops = nodes.values().stream()
                .filter(n -> n.role() == KafkaNode.Role.BROKER)
                .map(n -> CompletableFuture.runAsync(n::stop, runnable -> startThread("stop-" + n.id(), runnable)))
                .toList();
        for (CompletableFuture<Void> stop : brokerStops) {
            try {
                stop.join();
            } catch (CompletionException e) {
                failures.add(e.getCause());
            }
        }
        nodes.values().stream()
                .filter(n -> n.role() != KafkaNode.Role.BROKER)
                .forEach(n -> {
                    try {
                        n.stop();
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                });
        if (deleteOnClose) {
            try {
                deleteRecursively(dataDir);
            } catch (UncheckedIOException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            EmbeddedKafkaException e = new EmbeddedKafkaException(Reason.SHUTDOWN_FAILED,
                    failures.size() + " problem(s) while closing the cluster in " + dataDir, failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        LOG.info("Embedded Kafka ({}) stopped", layout.describe());
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + layout.describe() + ", bootstrap=" + bootstrapServers() + ", dir=" + dataDir + "]";
    }

    private KafkaNode brokerNode(int nodeId) {
        KafkaNode node = nodes.get(nodeId);
        if (node == null || !node.role().isBroker()) {
            throw unknownBroker(nodeId);
        }
        return node;
    }

    private EmbeddedKafkaException unknownBroker(int nodeId) {
        return new EmbeddedKafkaException(Reason.UNKNOWN_NODE,
                "no broker with node id " + nodeId + "; brokers are " + layout.brokerPorts().keySet());
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("embedded Kafka cluster is closed");
        }
    }

    /** Starts all nodes, controller first; on any failure stops what started and rethrows. */
    private void startAll() {
        List<KafkaNode> order = new ArrayList<>(nodes.values());
        order.sort(Comparator.comparing((KafkaNode n) -> n.role() != KafkaNode.Role.CONTROLLER)
                .thenComparingInt(KafkaNode::id));
        try {
            for (KafkaNode node : order) {
                node.validatedConfig();
            }
            for (KafkaNode node : order) {
                node.formatIfNeeded(layout.clusterId());
            }
            // One after another: nodes share the JVM-wide Yammer metrics registry, whose JMX
            // registration races when servers start concurrently.
            for (KafkaNode node : order) {
                node.start();
            }
            awaitBrokersServing();
        } catch (RuntimeException e) {
            closed.set(true);
            List<KafkaNode> reverse = new ArrayList<>(order);
            Collections.reverse(reverse);
            for (KafkaNode node : reverse) {
                try {
                    node.stop();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (deleteOnClose) {
                try {
                    deleteRecursively(dataDir);
                } catch (UncheckedIOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Waits until every running broker is visible to clients (registered and unfenced). */
    private void awaitBrokersServing() {
        Set<Integer> expected = nodes.values().stream()
                .filter(n -> n.role().isBroker() && n.isRunning())
                .map(KafkaNode::id)
                .collect(Collectors.toSet());
        String bootstrap = expected.stream()
                .map(id -> advertisedHost + ":" + layout.brokerPorts().get(id))
                .collect(Collectors.joining(","));
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        Set<Integer> seen = Set.of();
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    seen = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000)).nodes()
                            .get(5, TimeUnit.SECONDS).stream().map(Node::id).collect(Collectors.toSet());
                    if (seen.containsAll(expected)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("Cluster not ready yet: {}", e.toString());
                }
                if (System.nanoTime() > deadline) {
                    throw new EmbeddedKafkaException(Reason.STARTUP_FAILED, "brokers " + expected
                            + " not all serving after " + readyTimeout + "; clients see " + seen);
                }
                pause(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException(Reason.STARTUP_FAILED, "interrupted while waiting for brokers", e);
        }
    }

    // Polling interval of the readiness probe; there is no event to wait on from outside the broker.
    private static void pause(long millis) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(millis);
    }

    private static Thread startThread(String name, Runnable r) {
        Thread t = new Thread(r, "embedded-kafka-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /**
     * Configures and starts an {@link EmbeddedKafka}. All settings are optional; {@link #start()}
     * validates them together.
     */
    public static final class Builder {
        private Path dataDir;
        private int dedicatedControllerBrokers;
        private String host = "localhost";
        private int port;
        private int controllerPort;
        private Duration readyTimeout = Duration.ofSeconds(60);
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Keeps all storage under {@code dir} (created if missing) and leaves it in place on close.
         * A directory already holding an embedded cluster is reused as is. Default: a temporary
         * directory deleted on close.
         */
        public Builder optDataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** One dedicated controller (node 0) plus {@code brokers} brokers (nodes 1..brokers), at least 1. */
        public Builder optDedicatedController(int brokers) {
            if (brokers < 1) {
                throw new IllegalArgumentException("broker count must be at least 1, found " + brokers);
            }
            this.dedicatedControllerBrokers = brokers;
            return this;
        }

        /**
         * Host the listeners bind to and advertise (default {@code localhost}). A wildcard address
         * ({@code 0.0.0.0}, {@code ::}) binds every interface and advertises this machine's host name.
         */
        public Builder optHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must be a host name or address, found '" + host + "'");
            }
            this.host = host.trim();
            return this;
        }

        /** Client port of the first broker (node 1); 0 (default) picks a free one, or reuses a stored one. */
        public Builder optPort(int port) {
            this.port = checkPort(port, "broker port");
            return this;
        }

        /** Port of the controller listener; 0 (default) picks a free one, or reuses a stored one. */
        public Builder optControllerPort(int port) {
            this.controllerPort = checkPort(port, "controller port");
            return this;
        }

        /**
         * Sets a server configuration key on every node (e.g. {@code min.insync.replicas},
         * {@code message.max.bytes}). Keys that define the cluster layout (node ids, roles, listeners,
         * log directories) are refused.
         */
        public Builder optConfig(String key, String value) {
            if (key == null || key.isBlank() || value == null) {
                throw new IllegalArgumentException("config needs a key and a value, found " + key + "=" + value);
            }
            if (RESERVED_KEYS.contains(key.trim())) {
                throw new IllegalArgumentException("config key '" + key + "' is managed by EmbeddedKafka and cannot"
                        + " be overridden; reserved keys are " + String.join(", ", new TreeSet<>(RESERVED_KEYS)));
            }
            overrides.put(key.trim(), value);
            return this;
        }

        /** Sets several server configuration keys, as {@link #optConfig(String, String)}. */
        public Builder optConfig(Map<String, String> config) {
            config.forEach(this::optConfig);
            return this;
        }

        /** How long to wait for all brokers to serve after start (default 60 s). */
        public Builder optReadyTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("ready timeout must be positive, found " + timeout);
            }
            this.readyTimeout = timeout;
            return this;
        }

        /** Formats storage if needed, starts every node and returns once all brokers serve clients. */
        public EmbeddedKafka start() {
            boolean temporary = dataDir == null;
            Path dir = temporary ? createTempDir() : prepareDataDir(dataDir);
            try {
                return startIn(dir, temporary);
            } catch (RuntimeException e) {
                if (temporary) {
                    try {
                        deleteRecursively(dir);
                    } catch (UncheckedIOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }

        private EmbeddedKafka startIn(Path dir, boolean temporary) {
            // Three spellings of one host: plain for binding sockets, as Kafka wants it in listener
            // URLs (empty = every interface, IPv6 in brackets), and what clients are told to dial.
            String plain = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            boolean wildcard = plain.equals("0.0.0.0") || plain.equals("::");
            String bindHost = wildcard ? "0.0.0.0" : plain;
            String listenerHost = wildcard ? "" : inUrl(plain);
            String advertised = wildcard ? inUrl(localHostName()) : inUrl(plain);
            boolean combined = dedicatedControllerBrokers == 0;
            int brokerCount = combined ? 1 : dedicatedControllerBrokers;

            ClusterLayout stored = ClusterLayout.readFrom(dir);
            if (stored == null) {
                requireEmpty(dir);
            } else if (stored.combined() != combined || stored.brokerPorts().size() != brokerCount) {
                throw new EmbeddedKafkaException(Reason.LAYOUT_MISMATCH, dir + " holds a cluster of "
                        + stored.describe() + ", but " + (combined ? "1 combined broker+controller node"
                        : "1 dedicated controller + " + brokerCount + " broker(s)") + " was requested");
            }
            ClusterLayout layout = resolvePorts(stored, combined, brokerCount, bindHost);
            layout.writeTo(dir);

            Map<Integer, KafkaNode> nodes = new TreeMap<>();
            int replicas = Math.min(3, brokerCount);
            int minIsr = Math.min(2, brokerCount);
            String voters = layout.controllerId() + "@" + advertised + ":" + layout.controllerPort();
            if (combined) {
                Properties p = baseConfig(layout.controllerId(), KafkaNode.Role.COMBINED, dir, voters, replicas, minIsr);
                int bport = layout.brokerPorts().get(layout.controllerId());
                p.put("listeners", BROKER_LISTENER + "://" + listenerHost + ":" + bport + ","
                        + CONTROLLER_LISTENER + "://" + listenerHost + ":" + layout.controllerPort());
                p.put("advertised.listeners", BROKER_LISTENER + "://" + advertised + ":" + bport);
                p.putAll(overrides);
                nodes.put(layout.controllerId(), new KafkaNode(layout.controllerId(), KafkaNode.Role.COMBINED,
                        nodeDir(dir, layout.controllerId()), p));
            } else {
                Properties c = baseConfig(layout.controllerId(), KafkaNode.Role.CONTROLLER, dir, voters, replicas,
                        minIsr);
                c.put("listeners", CONTROLLER_LISTENER + "://" + listenerHost + ":" + layout.controllerPort());
                c.remove("inter.broker.listener.name");
                c.putAll(overrides);
                nodes.put(layout.controllerId(), new KafkaNode(layout.controllerId(), KafkaNode.Role.CONTROLLER,
                        nodeDir(dir, layout.controllerId()), c));
                for (Map.Entry<Integer, Integer> b : layout.brokerPorts().entrySet()) {
                    Properties p = baseConfig(b.getKey(), KafkaNode.Role.BROKER, dir, voters, replicas, minIsr);
                    p.put("listeners", BROKER_LISTENER + "://" + listenerHost + ":" + b.getValue());
                    p.put("advertised.listeners", BROKER_LISTENER + "://" + advertised + ":" + b.getValue());
                    p.putAll(overrides);
                    nodes.put(b.getKey(), new KafkaNode(b.getKey(), KafkaNode.Role.BROKER,
                            nodeDir(dir, b.getKey()), p));
                }
            }
            EmbeddedKafka kafka = new EmbeddedKafka(layout, dir, temporary, advertised, readyTimeout, nodes);
            long t0 = System.nanoTime();
            kafka.startAll();
            LOG.info("Embedded Kafka ({}) serving at {} in {} ms (data in {})", layout.describe(),
                    kafka.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dir);
            return kafka;
        }

        /**
         * Ports: a given port wins; else a port remembered in the data directory; else a free one. A
         * remembered controller port that is now taken is replaced (clients never see it); a taken
         * client port is an error, since clients may be configured with it.
         */
        private ClusterLayout resolvePorts(ClusterLayout stored, boolean combined, int brokerCount, String bindHost) {
            Set<Integer> taken = new HashSet<>();
            ClusterLayout layout;
            if (stored == null) {
                int controllerId = combined ? FIRST_BROKER_ID : DEDICATED_CONTROLLER_ID;
                SortedMap<Integer, Integer> brokers = new TreeMap<>();
                for (int i = 0; i < brokerCount; i++) {
                    brokers.put(FIRST_BROKER_ID + i, 0);
                }
                layout = new ClusterLayout(Uuid.randomUuid().toString(), combined, controllerId, 0, brokers);
            } else {
                layout = stored;
            }
            if (port != 0) {
                layout = layout.withBrokerPort(FIRST_BROKER_ID, port);
            }
            for (Map.Entry<Integer, Integer> b : layout.brokerPorts().entrySet()) {
                int p = b.getValue();
                if (p == 0) {
                    p = PortProbe.freePort(bindHost, taken);
                    layout = layout.withBrokerPort(b.getKey(), p);
                } else if (taken.contains(p) || !PortProbe.isFree(bindHost, p)) {
                    throw new EmbeddedKafkaException(Reason.PORT_IN_USE, "port " + p + " on " + bindHost
                            + " (broker " + b.getKey() + ") is already in use"
                            + (stored != null ? "; is another broker running on this data directory?" : ""));
                }
                taken.add(p);
            }
            int cport = controllerPort != 0 ? controllerPort : layout.controllerPort();
            if (cport != 0 && (taken.contains(cport) || !PortProbe.isFree(bindHost, cport))) {
                if (controllerPort != 0) {
                    throw new EmbeddedKafkaException(Reason.PORT_IN_USE, "controller port " + cport + " on "
                            + bindHost + " is already in use");
                }
                LOG.info("Remembered controller port {} is taken; picking another", cport);
                cport = 0;
            }
            if (cport == 0) {
                cport = PortProbe.freePort(bindHost, taken);
            }
            return layout.withControllerPort(cport);
        }

        private Properties baseConfig(int nodeId, KafkaNode.Role role, Path dir, String voters, int replicas,
                int minIsr) {
            Properties p = new Properties();
            p.put("node.id", Integer.toString(nodeId));
            p.put("process.roles", role.processRoles);
            p.put("controller.quorum.voters", voters);
            p.put("controller.listener.names", CONTROLLER_LISTENER);
            p.put("inter.broker.listener.name", BROKER_LISTENER);
            p.put("listener.security.protocol.map",
                    CONTROLLER_LISTENER + ":PLAINTEXT," + BROKER_LISTENER + ":PLAINTEXT");
            p.put("log.dirs", nodeDir(dir, nodeId).toString());
            p.put("offsets.topic.replication.factor", Integer.toString(replicas));
            p.put("transaction.state.log.replication.factor", Integer.toString(replicas));
            p.put("transaction.state.log.min.isr", Integer.toString(minIsr));
            p.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
            p.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
            // A development cluster: fast group formation, fewer internal partitions to create,
            // and quicker heartbeats so brokers are unfenced (and shut down) sooner.
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("offsets.topic.num.partitions", "5");
            p.put("transaction.state.log.num.partitions", "5");
            p.put("share.coordinator.state.topic.num.partitions", "5");
            p.put("broker.heartbeat.interval.ms", "500");
            // A restarted broker may only re-register once its old session expired (default 9 s).
            p.put("broker.session.timeout.ms", "4000");
            p.put("num.network.threads", "2");
            p.put("num.io.threads", "4");
            return p;
        }

        private static Path nodeDir(Path dataDir, int nodeId) {
            return dataDir.resolve("node-" + nodeId);
        }

        private static int checkPort(int port, String what) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(what + " must be 0 (any free port) or 1..65535, found " + port);
            }
            return port;
        }

        /** An IPv6 literal in brackets, as host:port strings and URLs need it; other hosts unchanged. */
        private static String inUrl(String host) {
            return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        }

        private static String localHostName() {
            try {
                return InetAddress.getLocalHost().getCanonicalHostName();
            } catch (UnknownHostException e) {
                throw new EmbeddedKafkaException(Reason.STARTUP_FAILED,
                        "cannot determine this machine's host name to advertise for a wildcard bind address", e);
            }
        }

        private static Path createTempDir() {
            try {
                return Files.createTempDirectory("retina-kafka-");
            } catch (IOException e) {
                throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "cannot create a temporary directory", e);
            }
        }

        private static Path prepareDataDir(Path dir) {
            Path abs = dir.toAbsolutePath().normalize();
            if (Files.exists(abs) && !Files.isDirectory(abs)) {
                throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR,
                        "data directory " + abs + " exists but is not a directory");
            }
            try {
                Files.createDirectories(abs);
            } catch (IOException e) {
                throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "cannot create data directory " + abs, e);
            }
            if (!Files.isWritable(abs)) {
                throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "data directory " + abs + " is not writable");
            }
            return abs;
        }

        private static void requireEmpty(Path dir) {
            try (Stream<Path> entries = Files.list(dir)) {
                List<String> found = entries.limit(5).map(p -> p.getFileName().toString()).toList();
                if (!found.isEmpty()) {
                    throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "data directory " + dir
                            + " is neither empty nor an embedded Kafka directory (no " + ClusterLayout.FILE_NAME
                            + "); found " + found);
                }
            } catch (IOException e) {
                throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "cannot list data directory " + dir, e);
            }
        }
    }
}
