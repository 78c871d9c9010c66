package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import dev.retina.streams.model.ModelTopic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two application instances started from configuration alone ({@code models.follow=true}): both serve a release
 * published with {@code retina publish-model} while images flow, a pin brings both back, {@code retina models list}
 * shows what each serves, {@code retina_model_info} follows the swaps, and every image gets one result.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ModelReloadAppIntegrationTest {

    private static final String MODELS = "models-app";
    private static final int IMAGES = 600;
    private static EmbeddedKafka kafka;
    private static EmbeddedSchemaRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startCluster() {
        AvroTrust.ensureTrusted();
        kafka = EmbeddedKafka.builder().start();
        registry = EmbeddedSchemaRegistry.inMemory(0);
    }

    @AfterAll
    static void stopCluster() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private AppConfig config(String applicationId, String instance) {
        return PipelineFixture.appConfig(kafka, registry, tmp, tmp.resolve("state-" + instance), Map.of(
                AppConfig.MODEL_DIR, "",
                AppConfig.MODELS_FOLLOW, "true",
                AppConfig.MODEL_NAME, "shapes",
                AppConfig.MODELS_TOPIC, MODELS,
                AppConfig.APPLICATION_ID, applicationId,
                AppConfig.INSTANCE_ID, instance));
    }

    /** Whether the instance's {@code retina_model_info} is 1 for {@code version}. */
    private static boolean serves(StreamsAppRunner app, String version) {
        return app.metrics().scrape().lines().anyMatch(l -> l.startsWith("retina_model_info{")
                && l.contains("version=\"" + version + "\"")
                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) == 1.0);
    }

    @Test
    void bothInstancesFollowReleasesAndPinsWhileClassifying() throws Exception {
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(MODELS, 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(ModelTopic.MAX_RECORD_BYTES))))).all().get();
        }
        Path v1 = ModelReloadFixtures.shapesPackage(tmp.resolve("pkg1"), 1);
        Path v2 = ModelReloadFixtures.shapesPackage(tmp.resolve("pkg2"), 2);
        assertThat(cli("publish-model", "--model-dir", v1.toString(), "--name", "shapes", "--version", "1").exit)
                .isZero();
        String applicationId = "it-reload-" + UUID.randomUUID();
        try (StreamsAppRunner a = StreamsAppRunner.start(config(applicationId, "instance-a"));
                StreamsAppRunner b = StreamsAppRunner.start(config(applicationId, "instance-b"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.state() == KafkaStreams.State.RUNNING
                    && b.state() == KafkaStreams.State.RUNNING);
            assertThat(serves(a, "1") && serves(b, "1")).isTrue();

            CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
                try {
                    PipelineFixture.produce(kafka.bootstrapServers(), registry, 5, IMAGES, 0, plan -> { });
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            assertThat(cli("publish-model", "--model-dir", v2.toString(), "--name", "shapes", "--version", "2").exit)
                    .isZero();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> serves(a, "2") && serves(b, "2"));
            System.out.printf("two app instances served version 2 %.0f ms after publish-model started%n",
                    (System.nanoTime() - start) / 1e6);
            assertThat(a.metrics().scrape()).contains("retina_model_swaps_total")
                    .contains("retina_model_validation_failures_total");

            assertThat(cli("models", "pin", "shapes", "1").exit).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> serves(a, "1") && serves(b, "1"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cli("models", "list").out)
                    .contains("instance instance-a serves shapes:1").contains("instance instance-b serves shapes:1"));
            feed.get(120, TimeUnit.SECONDS);

            PipelineFixture.Collected out = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(), registry,
                    applicationId, Duration.ofSeconds(180), () -> { });
            assertThat(out.deadLetters()).isEmpty();
            assertThat(out.results()).hasSize(IMAGES);
            assertThat(out.results().stream().map(r -> r.value().getImageId()).distinct().count()).isEqualTo(IMAGES);
        }
    }

    private static Run cli(String command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of("-b", kafka.bootstrapServers(), "-r", registry.url(), "--topic", MODELS));
        all.addAll(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        Run run = new Run(exit, out.toString(), err.toString());
        if (exit != 0) {
            System.err.println(run);
        }
        return run;
    }

    private record Run(int exit, String out, String err) {
    }
}
