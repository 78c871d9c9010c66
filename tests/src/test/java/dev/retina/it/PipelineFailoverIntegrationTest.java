package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.SyntheticProducer;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the application in one consumer group on a 4-partition input topic, one of them a separate JVM
 * ({@code retina app}) killed with SIGKILL while images stream in: the survivor takes over its partitions and under
 * exactly_once_v2 every image has exactly one committed result (read_committed): 0 lost, 0 duplicates. Under
 * at_least_once nothing is lost either, and the images the killed instance had classified but not yet committed
 * are classified again: the test reports that duplicate count.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PipelineFailoverIntegrationTest {

    private static final int IMAGES = 300;
    private static final double RATE = 30;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
    void survivorTakesOverAfterSigkillWithoutLosingAnImage(String guarantee) throws Exception {
        boolean exactlyOnce = guarantee.equals("exactly_once_v2");
        PipelineFixture.ModelChoice model = PipelineFixture.model(tmp);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(PipelineFixture.INPUT, 4, (short) 1))).all().get();
            }
            String applicationId = "it-failover-" + guarantee.replace('_', '-');
            Map<String, String> fast = Map.of(AppConfig.APPLICATION_ID, applicationId,
                    AppConfig.PROCESSING_GUARANTEE, guarantee,
                    AppConfig.INSTANCE_ID, "survivor",
                    AppConfig.KAFKA_PREFIX + "consumer.session.timeout.ms", "6000",
                    AppConfig.KAFKA_PREFIX + "consumer.heartbeat.interval.ms", "1000");
            AppConfig config = PipelineFixture.appConfig(kafka, registry, model.dir(), tmp.resolve("state"), fast);
            Path stderr = tmp.resolve("victim-stderr.log");
            Process victim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("surefire.test.class.path",
                            System.getProperty("java.class.path")),
                    RetinaCli.class.getName(), "app", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--schema-registry-url", registry.url(), "--model-dir", model.dir().toString(),
                    "-X", "application.id=" + applicationId, "-X", "processing.guarantee=" + guarantee,
                    "-X", "instance.id=victim", "-X", "http.port=-1",
                    "-X", "kafka.state.dir=" + tmp.resolve("victim-state"), "-X", "kafka.commit.interval.ms=100",
                    "-X", "kafka.consumer.session.timeout.ms=6000", "-X", "kafka.consumer.heartbeat.interval.ms=1000",
                    "-X", "engine.threads=1")
                    .redirectError(stderr.toFile()).redirectOutput(tmp.resolve("victim-stdout.log").toFile())
                    .start();
            try (StreamsAppRunner survivor = PipelineFixture.startApp(config)) {
                // Both instances must share the input before the feed starts: with the statistics sub-topology a
                // joining instance needs a few more seconds (two rebalances), longer than the whole feed may last.
                try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                        var group = admin.describeConsumerGroups(List.of(applicationId)).all().get()
                                .get(applicationId);
                        return group.members().size() == 2
                                && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                    });
                }
                List<SyntheticProducer.Item> plan = new CopyOnWriteArrayList<>();
                CompletableFuture<SyntheticProducer.Summary> sending = CompletableFuture.supplyAsync(() -> {
                    try {
                        return PipelineFixture.produce(kafka.bootstrapServers(), registry, 21, IMAGES, 0, RATE,
                                plan::addAll);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                });
                // Kill the second instance once it has committed results of its own, mid-stream.
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
                        PipelineFixture.readCommitted(kafka.bootstrapServers(), registry).results().stream()
                                .filter(r -> r.value().getInstanceId().equals("victim")).count() >= 10);
                assertThat(sending).isNotDone();
                victim.destroyForcibly(); // SIGKILL
                assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(victim.exitValue()).isEqualTo(137);

                SyntheticProducer.Summary sent = sending.get(150, TimeUnit.SECONDS);
                assertThat(sent.sent()).isEqualTo(IMAGES);
                PipelineFixture.Collected out = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(), registry,
                        applicationId, Duration.ofSeconds(150), () -> { });

                List<ConsumerRecord<String, ClassificationResult>> results = out.results();
                assertThat(out.deadLetters()).isEmpty();
                List<String> expected = plan.stream().map(SyntheticProducer.Item::imageId).toList();
                List<String> classified = results.stream().map(r -> r.value().getImageId()).toList();
                assertThat(classified).as("lost images").containsAll(expected);
                assertThat(classified).as("results for images never sent").allMatch(expected::contains);
                long duplicates = classified.size() - classified.stream().distinct().count();
                System.out.printf("failover %s: images=%d results=%d lost=0 duplicates=%d%n",
                        guarantee, expected.size(), classified.size(), duplicates);
                if (exactlyOnce) {
                    assertThat(duplicates).as("duplicates under exactly_once_v2").isZero();
                }
                long byVictim = results.stream().filter(r -> r.value().getInstanceId().equals("victim")).count();
                System.out.printf("failover: %d results committed by the killed instance, %d by the survivor%n",
                        byVictim, results.size() - byVictim);
                assertThat(byVictim).isPositive().isLessThan(IMAGES);
            } finally {
                victim.destroyForcibly();
                if (Files.exists(stderr) && victim.waitFor(10, TimeUnit.SECONDS) && victim.exitValue() != 137) {
                    System.err.println(Files.readString(stderr));
                }
            }
        }
    }
}
