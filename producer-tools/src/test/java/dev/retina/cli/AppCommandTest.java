package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.streams.AppConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Argument handling of {@code retina app}: the layers file &lt; environment &lt; flags, and every invalid input
 * refused before anything starts. A running app against a broker is covered in the tests module.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AppCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Parses {@code args} into an AppCommand seeing {@code env} as its environment. */
    private static AppCommand parse(Map<String, String> env, String... args) {
        AppCommand command = new AppCommand();
        command.environment = env;
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private int run(String... args) {
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path file(String text) throws IOException {
        return Files.writeString(tmp.resolve("app.properties"), text);
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheFile() throws IOException {
        Path config = file("bootstrap.servers=file:9092\nschema.registry.url=http://file:8081\ntop.k=2\n"
                + "model.dir=models/file/1\ninput.topic=file-images\n");
        AppCommand command = parse(Map.of("RETINA_BOOTSTRAP_SERVERS", "env:9092", "RETINA_TOP_K", "3",
                "RETINA_OUTPUT_TOPIC", "env-results"),
                "--config", config.toString(), "--bootstrap-servers", "flag:9092", "--model-dir", "models/flag/4",
                "-X", "top.k=4");

        AppConfig result = command.config();

        assertThat(result.bootstrapServers()).isEqualTo("flag:9092");
        assertThat(result.schemaRegistryUrl()).isEqualTo("http://file:8081");
        assertThat(result.topK()).isEqualTo(4);
        assertThat(result.inputTopic()).isEqualTo("file-images");
        assertThat(result.outputTopic()).isEqualTo("env-results");
        assertThat(result.modelDir()).contains(Path.of("models/flag/4"));
        assertThat(result.source(AppConfig.BOOTSTRAP_SERVERS)).isEqualTo(AppConfig.Source.OVERRIDE);
        assertThat(result.source(AppConfig.OUTPUT_TOPIC)).isEqualTo(AppConfig.Source.ENVIRONMENT);
        assertThat(result.source(AppConfig.INPUT_TOPIC)).isEqualTo(AppConfig.Source.FILE);
    }

    @Test
    void retinaConfigNamesTheFileWhenNoFlagDoes() throws IOException {
        Path config = file("model.dir=models/shapes/1\nschema.registry.url=http://registry:8081\n");

        AppConfig result = parse(Map.of("RETINA_CONFIG", config.toString())).config();

        assertThat(result.schemaRegistryUrl()).isEqualTo("http://registry:8081");
        assertThat(result.modelDir()).contains(Path.of("models/shapes/1"));
    }

    @Test
    void securitySettingsPassThroughToKafka() {
        AppConfig result = parse(Map.of(), "--model-dir", "m/1", "-X", "security.protocol=SASL_SSL",
                "-X", "sasl.mechanism=PLAIN", "-X", "kafka.commit.interval.ms=250").config();

        assertThat(result.kafkaSettings()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN").containsEntry("commit.interval.ms", "250");
    }

    @Test
    void unknownSettingIsRefusedNamingTheKey() {
        assertThat(run("app", "--model-dir", tmp.toString(), "-X", "top.kk=3"))
                .as("stderr: %s", err).isEqualTo(2);

        assertThat(err.toString()).contains("top.kk").contains("top.k").contains("Usage:");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void invalidValueSaysWhatWasExpected() {
        assertThat(run("app", "--model-dir", tmp.toString(), "-X", "processing.guarantee=twice"))
                .as("stderr: %s", err).isEqualTo(2);

        assertThat(err.toString()).contains("processing.guarantee").contains("twice");
    }

    @Test
    void missingConfigFileIsNamed() {
        Path missing = tmp.resolve("nope.properties");

        assertThat(run("app", "--config", missing.toString(), "--model-dir", tmp.toString()))
                .as("stderr: %s", err).isEqualTo(2);

        assertThat(err.toString()).contains("expected --config (or RETINA_CONFIG) to name a properties file, found"
                + " nothing at " + missing);
    }

    @Test
    void aModelPackageIsRequired() {
        assertThatThrownBy(() -> parse(Map.of()).config())
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--model-dir DIR (RETINA_MODEL_DIR, model.dir), or follow releases with"
                        + " model.repository or models.follow=true");
    }

    @Test
    void followingModelReleasesNeedsNoModelPackage() {
        AppConfig followTopic = parse(Map.of(), "-X", "models.follow=true", "-X", "model.name=shapes").config();
        assertThat(followTopic.modelDir()).isEmpty();
        assertThat(followTopic.hotReload()).isTrue();

        AppConfig followRepository = parse(Map.of(), "-X", "model.repository=models", "-X", "model.name=shapes")
                .config();
        assertThat(followRepository.modelRepository()).contains(Path.of("models"));
    }

    @Test
    void aFlagAndAContradictingDashXAreRefused() {
        assertThatThrownBy(() -> parse(Map.of(), "--model-dir", "a/1", "-X", "model.dir=b/2").config())
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("expected model.dir once, found --model-dir a/1 and -X model.dir=b/2");
    }

    @Test
    void aBrokenModelPackageFailsTheStartWithExitCode1() {
        // An empty directory: the package check runs before any connection to Kafka is attempted.
        assertThat(run("app", "--model-dir", tmp.toString(), "-X", "http.port=-1"))
                .as("stderr: %s", err).isEqualTo(1);

        assertThat(err.toString()).startsWith("retina app: error: MISSING_FILE").contains("model.onnx");
    }

    @Test
    void httpAddressNamesAReachableHost() {
        assertThat(AppCommand.httpAddress(AppConfig.of(Map.of()), 8080)).isEqualTo("http://localhost:8080");
        assertThat(AppCommand.httpAddress(AppConfig.of(Map.of(AppConfig.HTTP_HOST, "10.0.0.5")), 9000))
                .isEqualTo("http://10.0.0.5:9000");
        assertThat(AppCommand.httpAddress(AppConfig.of(Map.of(AppConfig.HTTP_HOST, "::1")), 9000))
                .isEqualTo("http://[::1]:9000");
        assertThat(AppCommand.httpAddress(AppConfig.of(Map.of()), -1)).isEqualTo("disabled");
    }

    @Test
    void helpListsEveryOption() {
        assertThat(run("app", "--help")).isZero();

        assertThat(out.toString()).contains("--config", "--bootstrap-servers", "--schema-registry-url", "--model-dir",
                "-X");
    }
}
