package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.SyntheticProducer;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retina app} as its own OS process against a cluster it did not start (the embedded broker and registry of
 * this JVM): it prints its HTTP address, becomes ready, classifies every image, and on SIGTERM stops gracefully
 * with exit code 0.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PipelineAppProcessIntegrationTest {

    private static final Pattern STARTED = Pattern.compile("retina app: instance=(\\S+) http=(http://\\S+) .*");
    private static final int IMAGES = 40;

    @TempDir
    Path tmp;

    @Test
    void appProcessServesAndExitsZeroOnSigterm() throws Exception {
        PipelineFixture.ModelChoice model = PipelineFixture.model(tmp);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            String applicationId = "it-app-process";
            Path stderr = tmp.resolve("app-stderr.log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("surefire.test.class.path",
                            System.getProperty("java.class.path")),
                    RetinaCli.class.getName(), "app", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--schema-registry-url", registry.url(), "--model-dir", model.dir().toString(),
                    "-X", "application.id=" + applicationId, "-X", "http.host=localhost", "-X", "http.port=0",
                    "-X", "kafka.state.dir=" + tmp.resolve("state"), "-X", "kafka.commit.interval.ms=100",
                    "-X", "engine.threads=1")
                    .redirectError(stderr.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("RETINA_"));
            Process process = pb.start();
            try {
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        in.lines().forEach(lines::add);
                    } catch (java.io.IOException e) {
                        lines.add("<stdout read failed: " + e + ">");
                    }
                }, "app-stdout");
                reader.start();

                String line = lines.poll(120, TimeUnit.SECONDS);
                assertThat(line).as("start line; stderr:%n%s", Files.exists(stderr) ? Files.readString(stderr) : "")
                        .isNotNull().matches(STARTED);
                Matcher m = STARTED.matcher(line);
                assertThat(m.matches()).isTrue();
                URI ready = URI.create(m.group(2) + "/ready");
                HttpClient http = HttpClient.newHttpClient();
                await().atMost(Duration.ofSeconds(60)).until(() -> http.send(HttpRequest.newBuilder(ready).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

                List<SyntheticProducer.Item> plan = new ArrayList<>();
                SyntheticProducer.Summary sent = PipelineFixture.produce(kafka.bootstrapServers(), registry, 3, IMAGES,
                        0, plan::addAll);
                assertThat(sent.sent()).isEqualTo(IMAGES);
                PipelineFixture.Collected out = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(), registry,
                        applicationId, Duration.ofSeconds(120), () -> assertThat(process.isAlive()).isTrue());
                assertThat(out.results()).hasSize(IMAGES);
                assertThat(out.results()).extracting(r -> r.value().getImageId()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(plan.stream().map(SyntheticProducer.Item::imageId)
                                .toList());

                process.destroy(); // SIGTERM
                assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
                reader.join(TimeUnit.SECONDS.toMillis(10));
                assertThat(process.exitValue()).as("exit code; stderr:%n%s", Files.readString(stderr)).isZero();
                assertThat(Files.readString(stderr)).contains("SIGTERM received");
            } finally {
                process.destroyForcibly();
            }
        }
    }
}
