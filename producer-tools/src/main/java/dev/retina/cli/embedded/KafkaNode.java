package dev.retina.cli.embedded;

import dev.retina.cli.embedded.EmbeddedKafkaException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KRaft node (broker, controller or both) of an embedded cluster: its storage directory, its
 * complete server configuration and, while running, its {@link KafkaRaftServer}. A node can be
 * stopped and started again on the same storage; each start builds a fresh server object, since a
 * shut-down {@code KafkaRaftServer} cannot be restarted.
 */
final class KafkaNode {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);

    /** The KRaft roles a node can have; written to {@code process.roles}. */
    enum Role {
        COMBINED("broker,controller"),
        CONTROLLER("controller"),
        BROKER("broker");

        final String processRoles;

        Role(String processRoles) {
            this.processRoles = processRoles;
        }

        boolean isBroker() {
            return this != CONTROLLER;
        }
    }

    private final int id;
    private final Role role;
    private final Path dir;
    private final Properties config;
    private volatile KafkaRaftServer server;

    KafkaNode(int id, Role role, Path dir, Properties config) {
        this.id = id;
        this.role = role;
        this.dir = dir;
        this.config = config;
    }

    int id() {
        return id;
    }

    Role role() {
        return role;
    }

    boolean isRunning() {
        return server != null;
    }

    String describe() {
        return role.name().toLowerCase(java.util.Locale.ROOT) + " node " + id;
    }

    /**
     * Formats this node's storage for {@code clusterId} unless it is already formatted (meta.properties
     * present); an existing format must belong to the same cluster and node id.
     */
    void formatIfNeeded(String clusterId) {
        Path meta = dir.resolve("meta.properties");
        if (Files.isRegularFile(meta)) {
            checkExistingFormat(meta, clusterId);
            return;
        }
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        try {
            Files.createDirectories(dir);
            new Formatter()
                    .setPrintStream(new PrintStream(formatterOutput, true, StandardCharsets.UTF_8))
                    .setClusterId(clusterId)
                    .setNodeId(id)
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName(EmbeddedKafka.CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException(Reason.FORMAT_FAILED, "formatting storage of " + describe() + " in "
                    + dir + " failed; formatter said: " + formatterOutput.toString(StandardCharsets.UTF_8).trim(), e);
        }
        LOG.debug("Formatted {} in {}: {}", describe(), dir, formatterOutput.toString(StandardCharsets.UTF_8).trim());
    }

    private void checkExistingFormat(Path meta, String clusterId) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            p.load(in);
        } catch (IOException e) {
            throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "cannot read " + meta, e);
        }
        String foundCluster = p.getProperty("cluster.id");
        String foundNode = p.getProperty("node.id");
        if (!clusterId.equals(foundCluster) || !Integer.toString(id).equals(foundNode)) {
            throw new EmbeddedKafkaException(Reason.LAYOUT_MISMATCH, meta + " belongs to cluster " + foundCluster
                    + " node " + foundNode + ", expected cluster " + clusterId + " node " + id);
        }
    }

    /** This node's configuration as Kafka parses it; a rejected key or value is an INVALID_CONFIG error. */
    KafkaConfig validatedConfig() {
        try {
            return KafkaConfig.fromProps(config, false);
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException(Reason.INVALID_CONFIG, "configuration of " + describe()
                    + " rejected: " + e.getMessage(), e);
        }
    }

    /** Starts the node; returns once Kafka reports it started (a broker is then serving requests). */
    synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaConfig kafkaConfig = validatedConfig();
        KafkaRaftServer s;
        try {
            s = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "storage of " + describe() + " in " + dir
                    + " cannot be opened", e);
        }
        try {
            s.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(s);
            throw new EmbeddedKafkaException(Reason.STARTUP_FAILED, describe() + " failed to start", e);
        }
        server = s;
    }

    /** Shuts the node down (a broker does a controlled shutdown) and waits until it has stopped. */
    synchronized void stop() {
        KafkaRaftServer s = server;
        if (s == null) {
            return;
        }
        server = null;
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException(Reason.SHUTDOWN_FAILED, describe() + " failed to shut down", e);
        }
    }

    private void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException suppressed) {
            LOG.warn("Cleanup after failed start of {} also failed: {}", describe(), suppressed.toString());
        }
    }
}
