package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.model.ModelPackage;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.model.ModelReloadSettings;
import dev.retina.streams.model.ModelTopic;
import dev.retina.streams.model.ReloadHistory;
import dev.retina.streams.model.ModelRejectedException.Reason;
import dev.retina.streams.model.ReloadingModel;
import dev.retina.streams.model.ValidationSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model release published while the application classifies a steady stream: every image gets exactly one
 * result, each partition switches from version 1 to version 2 at one point and never goes back, five corrupt
 * releases published afterwards (truncated ONNX, wrong sha256, label count, unknown operator, canary over its
 * 250 ms budget) are rejected with those reasons while version 2 keeps serving, no record is dead-lettered, and every
 * result names the exact version and sha256 that produced it.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ModelReloadStreamIntegrationTest {

    private static final int IMAGES = 5000;
    private static final String MODELS = "models-stream";
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

    @Test
    void versionTwoPublishedMidStreamTakesOverOncePerPartitionWithoutLosingARecord() throws Exception {
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(MODELS, 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(ModelTopic.MAX_RECORD_BYTES))))).all().get();
        }
        Path v1 = ModelReloadFixtures.shapesPackage(tmp.resolve("pkg1"), 1);
        Path v2 = ModelReloadFixtures.shapesPackage(tmp.resolve("pkg2"), 2);
        String sha1 = ModelPackage.sha256(Files.readAllBytes(v1.resolve("model.onnx")));
        String sha2 = ModelPackage.sha256(Files.readAllBytes(v2.resolve("model.onnx")));
        assertThat(publish(v1, "1")).isZero();

        AppConfig config = PipelineFixture.appConfig(kafka, registry, v1, tmp.resolve("state"), Map.of());
        Map<String, Object> clients = Map.of("bootstrap.servers", kafka.bootstrapServers());
        Map<String, Object> registryConfig = Map.of("schema.registry.url", registry.url());
        ModelReloadSettings settings = new ModelReloadSettings("shapes", Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10), true, MODELS, clients, registryConfig,
                ValidationSettings.defaults().withCanaryBudget(Duration.ofMillis(250)),
                config.inferenceTimeout().multipliedBy(2), Duration.ofSeconds(60));
        try (Engine engine = Engine.create(2);
                ReloadingModel model = ReloadingModel.start(settings, engine);
                StreamsAppRunner app = StreamsAppRunner.start(config, model)) {
            assertThat(model.current().identity().version()).isEqualTo("1");
            await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == KafkaStreams.State.RUNNING);
            ModelIdentity first = model.current().identity();

            CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
                try {
                    PipelineFixture.produce(kafka.bootstrapServers(), registry, 11, IMAGES, 0, plan -> { });
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> app.metrics().classifiedBy(first) >= IMAGES / 3.0);
            assertThat(publish(v2, "2")).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> model.current().identity().version().equals("2"));
            // Five broken releases while the stream continues: all rejected, version 2 keeps serving.
            ModelReloadFixtures.publishCorruptReleases(kafka.bootstrapServers(), registry, MODELS, v2);
            ModelReloadFixtures.publishRelease(kafka.bootstrapServers(), registry, MODELS,
                    ModelReloadFixtures.slowShapesPackage(tmp.resolve("slow")), "7");
            await().atMost(Duration.ofSeconds(60)).until(() -> model.manager().failedValidationCount() == 5);
            assertThat(model.manager().history().events(ReloadHistory.Outcome.REJECTED))
                    .extracting(ReloadHistory.Event::reason)
                    .containsExactly(Reason.INVALID_GRAPH, Reason.SHA256_MISMATCH, Reason.MODEL_MISMATCH,
                            Reason.INVALID_GRAPH, Reason.CANARY_TIMEOUT);
            assertThat(model.current().identity().version()).isEqualTo("2");
            feed.get(120, TimeUnit.SECONDS);

            PipelineFixture.Collected out = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(), registry,
                    config.applicationId(), Duration.ofSeconds(180), () -> { });
            List<ClassificationResult> results = out.results().stream().map(ConsumerRecord::value).toList();
            assertThat(results.size() + out.deadLetters().size()).as("results and dead letters").isEqualTo(IMAGES);
            assertThat(results.stream().map(ClassificationResult::getImageId).distinct().count())
                    .as("distinct image ids").isEqualTo(results.size());
            for (ClassificationResult r : results) {
                String expectedSha = r.getModel().getVersion().equals("1") ? sha1 : sha2;
                assertThat(r.getModel().getSha256()).isEqualTo(expectedSha);
            }

            Map<Integer, List<ClassificationResult>> byPartition = results.stream()
                    .collect(Collectors.groupingBy(r -> r.getLineage().getPartition()));
            StringBuilder report = new StringBuilder();
            int switches = 0;
            for (Map.Entry<Integer, List<ClassificationResult>> e : byPartition.entrySet()) {
                List<ClassificationResult> inOrder = new ArrayList<>(e.getValue());
                inOrder.sort(Comparator.comparingLong(r -> r.getLineage().getOffset()));
                int changes = 0;
                int at = -1;
                for (int i = 1; i < inOrder.size(); i++) {
                    String before = inOrder.get(i - 1).getModel().getVersion();
                    String now = inOrder.get(i).getModel().getVersion();
                    if (!before.equals(now)) {
                        changes++;
                        at = i;
                        assertThat(before + "->" + now).as("partition %d at offset %d", e.getKey(),
                                inOrder.get(i).getLineage().getOffset()).isEqualTo("1->2");
                    }
                }
                assertThat(changes).as("version changes in partition %d", e.getKey()).isLessThanOrEqualTo(1);
                switches += changes;
                if (at > 0) {
                    long gap = inOrder.get(at).getClassifiedAt().toEpochMilli()
                            - inOrder.get(at - 1).getClassifiedAt().toEpochMilli();
                    double firstV2 = inOrder.get(at).getTimings().getInferenceMillis();
                    double median = median(inOrder.subList(at, inOrder.size()));
                    long maxGap = 0;
                    for (int i = 1; i < inOrder.size(); i++) {
                        maxGap = Math.max(maxGap, inOrder.get(i).getClassifiedAt().toEpochMilli()
                                - inOrder.get(i - 1).getClassifiedAt().toEpochMilli());
                    }
                    report.append(String.format("partition %d: switch at offset %d, gap between the last v1 and the "
                            + "first v2 result %d ms (largest gap anywhere in the partition %d ms), first v2 inference %.2f ms "
                            + "(median v2 %.2f ms); ",
                            e.getKey(), inOrder.get(at).getLineage().getOffset(), gap, maxGap, firstV2, median));
                }
            }
            Map<String, Long> perVersion = results.stream()
                    .collect(Collectors.groupingBy(r -> r.getModel().getVersion(), Collectors.counting()));
            System.out.println("model reload mid-stream: results per version " + perVersion + "; " + report);
            assertThat(perVersion).containsOnlyKeys("1", "2");
            assertThat(switches).as("partitions that switched").isPositive();
            assertThat(out.deadLetters().stream().map(d -> d.value().getReason() + ": " + d.value().getMessage()))
                    .as("dead letters").isEmpty();
        }
    }

    private static double median(List<ClassificationResult> results) {
        double[] v = results.stream().mapToDouble(r -> r.getTimings().getInferenceMillis()).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    private static int publish(Path dir, String version) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("publish-model", "-b", kafka.bootstrapServers(), "-r", registry.url(), "--topic",
                MODELS, "--model-dir", dir.toString(), "--name", "shapes", "--version", version);
        if (exit != 0) {
            System.err.println(out + "\n" + err);
        }
        return exit;
    }
}
