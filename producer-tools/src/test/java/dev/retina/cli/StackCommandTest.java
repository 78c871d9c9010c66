package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Argument handling and start-up failures of {@code retina stack} that are detected before a broker
 * runs; the running stack is covered by StackCommandIntegrationTest in the tests module.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StackCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryOption() {
        assertThat(run("stack", "--help")).isZero();

        assertThat(out.toString()).contains("--data-dir", "--kafka-port", "--registry-port", "--host", "--duration",
                "bootstrap=HOST:PORT schema_registry=URL");
    }

    @Test
    void portOutOfRangeSaysWhatWasExpected() {
        assertThat(run("stack", "--kafka-port", "70000")).isEqualTo(2);

        assertThat(err.toString()).contains("Invalid value for --kafka-port: 70000 (expected 0 for a free port, or"
                + " 1..65535)");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void registryPortMustBeANumber() {
        assertThat(run("stack", "--registry-port", "http")).isEqualTo(2);

        assertThat(err.toString()).contains("--registry-port", "'http' is not an int");
    }

    @Test
    void unparseableDurationSaysWhatWasExpected() {
        assertThat(run("stack", "--duration", "soon")).isEqualTo(2);

        assertThat(err.toString()).contains("Invalid value for --duration: 'soon'",
                "expected a duration such as 500ms, 30s, 10m, 2h or PT30S");
    }

    @Test
    void zeroDurationIsRefused() {
        assertThat(run("stack", "--duration", "0s")).isEqualTo(2);

        assertThat(err.toString()).contains("Invalid value for --duration: '0s' (expected a positive duration)");
    }

    @Test
    void unknownOptionIsReported() {
        assertThat(run("stack", "--brokers", "3")).isEqualTo(2);

        assertThat(err.toString()).contains("Unknown option", "--brokers");
    }

    @Test
    void dataDirThatIsAFileFailsWithOneLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");

        assertThat(run("stack", "--data-dir", file.toString(), "--kafka-port", "0")).isEqualTo(1);

        assertThat(err.toString()).startsWith("retina stack: error: BAD_DATA_DIR: data directory ")
                .contains("is not a directory");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void busyKafkaPortFailsWithOneLine() throws IOException {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("localhost", 0));

            assertThat(run("stack", "--kafka-port", Integer.toString(busy.getLocalPort()))).isEqualTo(1);

            assertThat(err.toString()).startsWith("retina stack: error: PORT_IN_USE: port " + busy.getLocalPort());
            assertThat(out.toString()).isEmpty();
        }
    }
}
