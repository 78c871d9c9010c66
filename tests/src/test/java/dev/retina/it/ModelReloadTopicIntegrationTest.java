package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.model.Labels;
import dev.retina.engine.model.ModelPackage;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.ModelRelease;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.model.ModelManager;
import dev.retina.streams.model.ModelStatusReporter;
import dev.retina.streams.model.ModelRejectedException.Reason;
import dev.retina.streams.model.ModelTopic;
import dev.retina.streams.model.ModelTopicSource;
import dev.retina.streams.model.ModelValidator;
import dev.retina.streams.model.ReloadHistory;
import dev.retina.streams.model.ValidationSettings;
import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model releases through a real broker and registry: two instances (each a {@link ModelManager} following the
 * models topic with its own {@link ModelTopicSource}) converge on a release published with
 * {@code retina publish-model}, reject corrupt releases with their reasons while the good version keeps serving, and
 * follow {@code retina models pin}/{@code unpin}; {@code retina models list} shows what the topic holds.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ModelReloadTopicIntegrationTest {

    private static final Duration CONVERGE = Duration.ofSeconds(30);
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

    /** One application instance's model side: engine, validator, manager and topic reader. */
    private static final class Instance implements AutoCloseable {
        final Engine engine = Engine.create(1);
        final ModelValidator validator = new ModelValidator(engine, ValidationSettings.defaults());
        final ModelManager manager = new ModelManager("shapes", validator, Duration.ZERO);
        final AvroSerde<ModelRelease> serde = new AvroSerde<>(ModelRelease.class,
                SchemaRegistryClient.forUrl(registry.url()), false);
        final ModelTopicSource source;
        final ModelStatusReporter status;

        Instance(String topic, String id) {
            status = new ModelStatusReporter(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic, "shapes",
                    id);
            manager.addListener(status);
            source = new ModelTopicSource(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic,
                    serde.deserializer(), manager, ModelPackage.MAX_METADATA_BYTES * 4).start();
        }

        Optional<String> version() {
            return manager.active().map(ModelIdentity::version);
        }

        @Override
        public void close() {
            source.close();
            manager.close();
            status.close();
            serde.close();
            validator.close();
            engine.close();
        }
    }

    private static void createModelsTopic(String topic) throws Exception {
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(ModelTopic.MAX_RECORD_BYTES))))).all().get();
        }
    }

    @Test
    void instancesConvergeRejectCorruptReleasesAndFollowPins() throws Exception {
        String topic = "models-it-a";
        createModelsTopic(topic);
        Path v1 = ModelReloadFixtures.shapesPackage(tmp.resolve("pkg1"), 1);
        Path v2 = ModelReloadFixtures.shapesPackage(tmp.resolve("pkg2"), 2);

        try (Instance a = new Instance(topic, "a"); Instance b = new Instance(topic, "b")) {
            Run published = cli("publish-model", "--topic", topic, "--model-dir", v1.toString(), "--name", "shapes",
                    "--version", "1");
            assertThat(published.exit).as(published.toString()).isZero();
            assertThat(published.out).contains("published shapes:1 sha256=");
            await().atMost(CONVERGE).until(() -> a.version().equals(Optional.of("1"))
                    && b.version().equals(Optional.of("1")));

            long start = System.nanoTime();
            Run second = cli("publish-model", "--topic", topic, "--model-dir", v2.toString(), "--name", "shapes",
                    "--version", "2");
            assertThat(second.exit).as(second.toString()).isZero();
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(10)).until(
                    () -> a.version().equals(Optional.of("2")) && b.version().equals(Optional.of("2")));
            System.out.printf("two instances converged on version 2 %.0f ms after publish-model started%n",
                    (System.nanoTime() - start) / 1e6);

            ModelReloadFixtures.publishCorruptReleases(kafka.bootstrapServers(), registry, topic, v2);
            for (Instance i : List.of(a, b)) {
                await().atMost(CONVERGE).until(() -> i.manager.failedValidationCount() == 4);
                assertThat(i.manager.history().events(ReloadHistory.Outcome.REJECTED))
                        .extracting(ReloadHistory.Event::version, ReloadHistory.Event::reason)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("3", Reason.INVALID_GRAPH),
                                org.assertj.core.groups.Tuple.tuple("4", Reason.SHA256_MISMATCH),
                                org.assertj.core.groups.Tuple.tuple("5", Reason.MODEL_MISMATCH),
                                org.assertj.core.groups.Tuple.tuple("6", Reason.INVALID_GRAPH));
                assertThat(i.version()).contains("2");
            }

            Run pin = cli("models", "--topic", topic, "pin", "shapes", "1");
            assertThat(pin.exit).as(pin.toString()).isZero();
            await().atMost(CONVERGE).until(() -> a.version().equals(Optional.of("1"))
                    && b.version().equals(Optional.of("1")));

            await().atMost(CONVERGE).untilAsserted(() -> {
                Run list = cli("models", "--topic", topic, "list");
                assertThat(list.exit).as(list.toString()).isZero();
                assertThat(list.out).containsPattern("\\* shapes +1 ").containsPattern("\n +shapes +2 ")
                        .contains("pin shapes -> 1").contains("instance a serves shapes:1 (sha256 ")
                        .contains("instance b serves shapes:1 (sha256 ").contains("releases=6 pins=1 instances=2");
            });

            // A third instance started now replays the topic and honours the pin at once.
            try (Instance c = new Instance(topic, "c")) {
                c.source.caughtUp().get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
                c.manager.sync().get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
                assertThat(c.manager.pinned()).contains("1");
                assertThat(c.version()).contains("1");
            }

            Run unpin = cli("models", "--topic", topic, "unpin", "shapes");
            assertThat(unpin.exit).as(unpin.toString()).isZero();
            await().atMost(CONVERGE).until(() -> a.version().equals(Optional.of("2"))
                    && b.version().equals(Optional.of("2")));
        }
    }

    @Test
    void publishModelRefusesAPackageThatDoesNotLoad() throws Exception {
        String topic = "models-it-b";
        createModelsTopic(topic);
        Path broken = ModelReloadFixtures.shapesPackage(tmp.resolve("broken"), 3);
        Files.writeString(broken.resolve("labels.txt"), "only\ntwo\n");
        Run run = cli("publish-model", "--topic", topic, "--model-dir", broken.toString(), "--name", "shapes",
                "--version", "9");
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.err).contains("retina publish-model: error: refusing to publish shapes:9: MODEL_MISMATCH");
        Run list = cli("models", "--topic", topic, "list");
        assertThat(list.out).contains("releases=0 pins=0 instances=0");
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args[0]));
        all.addAll(List.of("-b", kafka.bootstrapServers(), "-r", registry.url()));
        all.addAll(List.of(args).subList(1, args.length));
        var cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private record Run(int exit, String out, String err) {
    }
}
