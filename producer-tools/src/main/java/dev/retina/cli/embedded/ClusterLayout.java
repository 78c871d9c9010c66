package dev.retina.cli.embedded;

import dev.retina.cli.embedded.EmbeddedKafkaException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The shape of an embedded cluster as remembered in its data directory, so a restart on the same
 * directory comes back with the same cluster id, node ids and ports (clients configured with the old
 * bootstrap address keep working, and the formatted storage matches).
 *
 * <p>File {@value #FILE_NAME} in the data directory root, a properties file: {@code cluster.id},
 * {@code combined} (true: one node with both roles; false: a dedicated controller plus brokers),
 * {@code controller.id}, {@code controller.port} and one {@code broker.<id>.port} per broker.
 */
record ClusterLayout(
        String clusterId,
        boolean combined,
        int controllerId,
        int controllerPort,
        SortedMap<Integer, Integer> brokerPorts) {

    static final String FILE_NAME = "embedded-kafka.properties";

    ClusterLayout {
        brokerPorts = Collections.unmodifiableSortedMap(new TreeMap<>(brokerPorts));
    }

    /** The layout stored in {@code dataDir}, or {@code null} when there is none. */
    static ClusterLayout readFrom(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "cannot read " + file, e);
        }
        try {
            SortedMap<Integer, Integer> brokers = new TreeMap<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("broker.") && key.endsWith(".port")) {
                    int id = Integer.parseInt(key.substring("broker.".length(), key.length() - ".port".length()));
                    brokers.put(id, Integer.parseInt(p.getProperty(key)));
                }
            }
            String clusterId = required(p, "cluster.id");
            if (brokers.isEmpty()) {
                throw new IllegalArgumentException("no broker.<id>.port entries");
            }
            return new ClusterLayout(
                    clusterId,
                    Boolean.parseBoolean(required(p, "combined")),
                    Integer.parseInt(required(p, "controller.id")),
                    Integer.parseInt(required(p, "controller.port")),
                    brokers);
        } catch (IllegalArgumentException e) {
            throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR,
                    file + " is damaged: expected cluster.id, combined, controller.id, controller.port and"
                            + " broker.<id>.port entries", e);
        }
    }

    /** Writes this layout atomically (temp file + rename), so a crash never leaves half a file. */
    void writeTo(Path dataDir) {
        Properties p = new Properties();
        p.setProperty("cluster.id", clusterId);
        p.setProperty("combined", Boolean.toString(combined));
        p.setProperty("controller.id", Integer.toString(controllerId));
        p.setProperty("controller.port", Integer.toString(controllerPort));
        for (Map.Entry<Integer, Integer> e : brokerPorts.entrySet()) {
            p.setProperty("broker." + e.getKey() + ".port", Integer.toString(e.getValue()));
        }
        Path file = dataDir.resolve(FILE_NAME);
        Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "Embedded Kafka cluster layout; reused when the cluster restarts on this directory");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new EmbeddedKafkaException(Reason.BAD_DATA_DIR, "cannot write " + file, e);
        }
    }

    ClusterLayout withControllerPort(int port) {
        return new ClusterLayout(clusterId, combined, controllerId, port, brokerPorts);
    }

    ClusterLayout withBrokerPort(int brokerId, int port) {
        SortedMap<Integer, Integer> ports = new TreeMap<>(brokerPorts);
        ports.put(brokerId, port);
        return new ClusterLayout(clusterId, combined, controllerId, controllerPort, ports);
    }

    /** A short description such as "1 combined node" or "1 controller + 3 brokers". */
    String describe() {
        return combined ? "1 combined broker+controller node"
                : "1 dedicated controller + " + brokerPorts.size() + " broker(s)";
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v.trim();
    }
}
