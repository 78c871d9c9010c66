package dev.retina.cli.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.cli.embedded.EmbeddedKafkaException.Reason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks of the builder and of start-up validation that fail before any Kafka node is started
 * (the broker-backed behaviour is covered by the integration tests in the tests module).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddedKafkaBuilderTest {

    @TempDir
    Path tmp;

    @Test
    void givenPortAlreadyBoundIsReportedAsPortInUse() throws IOException {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("localhost", 0));
            int port = busy.getLocalPort();

            assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(tmp.resolve("d")).optPort(port).start())
                    .isInstanceOf(EmbeddedKafkaException.class)
                    .satisfies(e -> assertThat(((EmbeddedKafkaException) e).reason()).isEqualTo(Reason.PORT_IN_USE))
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void rememberedClientPortInUseHintsAtAnotherBrokerOnTheDirectory() throws IOException {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("localhost", 0));
            Path dir = tmp.resolve("d");
            Files.createDirectories(dir);
            new ClusterLayout("Gm4n3pbzRZSaKkeyxC8nVQ", true, 1, 0, new TreeMap<>(Map.of(1, busy.getLocalPort())))
                    .writeTo(dir);

            assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(dir).start())
                    .isInstanceOf(EmbeddedKafkaException.class)
                    .hasMessageContaining("PORT_IN_USE")
                    .hasMessageContaining("another broker running on this data directory");
        }
    }

    @Test
    void dataDirThatIsAFileIsRejected() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");

        assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(file).start())
                .isInstanceOf(EmbeddedKafkaException.class)
                .satisfies(e -> assertThat(((EmbeddedKafkaException) e).reason()).isEqualTo(Reason.BAD_DATA_DIR))
                .hasMessageContaining("is not a directory");
    }

    @Test
    void dataDirUnderAFileCannotBeCreated() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");

        assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(file.resolve("sub")).start())
                .isInstanceOf(EmbeddedKafkaException.class)
                .hasMessageContaining("BAD_DATA_DIR")
                .hasMessageContaining("cannot create data directory");
    }

    @Test
    void foreignNonEmptyDirectoryIsNotTakenOver() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(dir.resolve("holiday.jpg"), "not kafka");

        assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(dir).start())
                .isInstanceOf(EmbeddedKafkaException.class)
                .hasMessageContaining("BAD_DATA_DIR")
                .hasMessageContaining("neither empty nor an embedded Kafka directory")
                .hasMessageContaining("holiday.jpg");
        assertThat(dir.resolve("holiday.jpg")).exists();
    }

    @Test
    void directoryOfAnotherLayoutIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("split"));
        new ClusterLayout("Gm4n3pbzRZSaKkeyxC8nVQ", false, 0, 0, new TreeMap<>(Map.of(1, 0, 2, 0, 3, 0)))
                .writeTo(dir);

        assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(dir).start())
                .isInstanceOf(EmbeddedKafkaException.class)
                .satisfies(e -> assertThat(((EmbeddedKafkaException) e).reason()).isEqualTo(Reason.LAYOUT_MISMATCH))
                .hasMessageContaining("1 dedicated controller + 3 broker(s)")
                .hasMessageContaining("1 combined broker+controller node was requested");
    }

    @Test
    void damagedLayoutFileIsReported() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("damaged"));
        Files.writeString(dir.resolve(ClusterLayout.FILE_NAME), "cluster.id=abc\ncombined=true\n");

        assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(dir).start())
                .isInstanceOf(EmbeddedKafkaException.class)
                .hasMessageContaining("BAD_DATA_DIR")
                .hasMessageContaining("is damaged")
                .hasMessageContaining("no broker.<id>.port entries");
    }

    @Test
    void layoutSurvivesWriteAndRead() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("layout"));
        ClusterLayout layout = new ClusterLayout("Gm4n3pbzRZSaKkeyxC8nVQ", false, 0, 40001,
                new TreeMap<>(Map.of(1, 40002, 2, 40003, 3, 40004)));

        layout.writeTo(dir);

        assertThat(ClusterLayout.readFrom(dir)).isEqualTo(layout);
        assertThat(ClusterLayout.readFrom(tmp.resolve("missing"))).isNull();
    }

    @Test
    void layoutKeysCannotBeOverridden() {
        EmbeddedKafka.Builder b = EmbeddedKafka.builder();

        assertThatThrownBy(() -> b.optConfig("listeners", "PLAINTEXT://:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'listeners' is managed by EmbeddedKafka")
                .hasMessageContaining("log.dirs");
        assertThatThrownBy(() -> b.optConfig("min.insync.replicas", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a key and a value");
    }

    @Test
    void invalidSettingsSayWhatWasExpected() {
        EmbeddedKafka.Builder b = EmbeddedKafka.builder();

        assertThatThrownBy(() -> b.optPort(70000))
                .hasMessage("broker port must be 0 (any free port) or 1..65535, found 70000");
        assertThatThrownBy(() -> b.optControllerPort(-1))
                .hasMessage("controller port must be 0 (any free port) or 1..65535, found -1");
        assertThatThrownBy(() -> b.optDedicatedController(0))
                .hasMessage("broker count must be at least 1, found 0");
        assertThatThrownBy(() -> b.optHost(" "))
                .hasMessage("host must be a host name or address, found ' '");
    }

    @Test
    void invalidServerConfigurationIsReportedWithKafkasReason() {
        assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(tmp.resolve("cfg"))
                        .optConfig("message.max.bytes", "lots").start())
                .isInstanceOf(EmbeddedKafkaException.class)
                .satisfies(e -> assertThat(((EmbeddedKafkaException) e).reason()).isEqualTo(Reason.INVALID_CONFIG))
                .hasMessageContaining("message.max.bytes");
        // Rejected before anything was formatted: the directory can be used with a corrected setting.
        assertThat(tmp.resolve("cfg").resolve("node-1")).doesNotExist();
    }

    @Test
    void exceptionMessageNamesReasonAndRootCause() {
        EmbeddedKafkaException e = new EmbeddedKafkaException(Reason.STARTUP_FAILED, "broker node 2 failed to start",
                new RuntimeException("wrapper", new IOException("Address already in use")));

        assertThat(e.reason()).isEqualTo(Reason.STARTUP_FAILED);
        assertThat(e).hasMessage("STARTUP_FAILED: broker node 2 failed to start"
                + " (cause: IOException: Address already in use)");
    }
}
