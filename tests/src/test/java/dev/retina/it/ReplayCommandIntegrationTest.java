package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.SyntheticImages;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import dev.retina.streams.errors.DeadLetterWriter;
import dev.retina.streams.errors.FailedRecord;
import dev.retina.streams.errors.Stage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retina replay} against a real broker and registry: dead letters written by the application's own
 * {@link DeadLetterWriter} go back to the input topic with their original key, value and headers byte for byte,
 * only for the chosen reasons; a consumer group carries progress across runs; and replayed images are then
 * classified by the running application.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplayCommandIntegrationTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedKafka kafka;
    private static EmbeddedSchemaRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startCluster() {
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

    /** One original record and the reason it was dead-lettered for. */
    private record Original(ErrorReason reason, byte[] key, byte[] value, RecordHeaders headers) {
    }

    @Test
    void replaysOnlyTheChosenReasonsWithTheOriginalKeyValueAndHeaders() throws Exception {
        String dlq = "replay-a-dlq";
        String target = "replay-a-images";
        createTopics(new NewTopic(dlq, 1, (short) 1), new NewTopic(target, 3, (short) 1));
        Random random = new Random(42);
        List<Original> originals = new ArrayList<>();
        ErrorReason[] reasons = {ErrorReason.TIMEOUT, ErrorReason.CORRUPT_IMAGE, ErrorReason.MODEL_UNAVAILABLE,
            ErrorReason.TIMEOUT, ErrorReason.DESERIALIZATION, ErrorReason.MODEL_UNAVAILABLE, ErrorReason.TIMEOUT,
            ErrorReason.IMAGE_TOO_LARGE};
        for (int i = 0; i < reasons.length; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace", bytes(random, 8));
            headers.add("trace", bytes(random, 3)); // a repeated key keeps both values, in order
            headers.add("empty", null);
            byte[] key = i == 3 ? null : ("image-" + i).getBytes(StandardCharsets.UTF_8); // one without a key
            originals.add(new Original(reasons[i], key, bytes(random, 200 + random.nextInt(2000)), headers));
        }
        originals.add(new Original(ErrorReason.TIMEOUT, "tombstone".getBytes(StandardCharsets.UTF_8), null,
                new RecordHeaders()));
        writeDeadLetters(dlq, "images", originals);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                new ByteArraySerializer(), new ByteArraySerializer(), Map.of())) {
            producer.send(new ProducerRecord<>(dlq, "junk".getBytes(StandardCharsets.UTF_8),
                    "not a dead letter".getBytes(StandardCharsets.UTF_8))).get();
        }
        List<Original> expected = originals.stream()
                .filter(o -> o.value() != null)
                .filter(o -> o.reason() == ErrorReason.TIMEOUT || o.reason() == ErrorReason.MODEL_UNAVAILABLE)
                .toList();
        int skipped = originals.size() + 1 - expected.size();

        Run dry = replay("--from", dlq, "--to", target, "--reason", "timeout,MODEL_UNAVAILABLE", "--dry-run");
        assertThat(dry.exit).as(dry.toString()).isZero();
        assertThat(dry.lastLine()).isEqualTo("replayed=0 skipped=" + skipped + " would_replay=" + expected.size());
        assertThat(dry.err).contains("not a decodable DeadLetter").contains("has no original value");

        Run run = replay("--from", dlq, "--to", target, "--reason", "TIMEOUT", "--reason", "MODEL_UNAVAILABLE");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.lastLine()).isEqualTo("replayed=" + expected.size() + " skipped=" + skipped);

        List<ConsumerRecord<byte[], byte[]>> arrived = KafkaClients.readFromStart(kafka.bootstrapServers(), target,
                expected.size() + 1, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Duration.ofSeconds(5));
        assertThat(arrived).as("records on %s, none of the dry run", target).hasSize(expected.size());
        assertThat(arrived.stream().map(ReplayCommandIntegrationTest::describe))
                .containsExactlyInAnyOrderElementsOf(expected.stream()
                        .map(o -> describe(o.key(), o.value(), o.headers())).toList());
    }

    @Test
    void aGroupContinuesWhereTheLastRunStoppedAndMaxLimitsOneRun() throws Exception {
        String dlq = "replay-b-dlq";
        String target = "replay-b-images";
        createTopics(new NewTopic(dlq, 2, (short) 1), new NewTopic(target, 1, (short) 1));
        Random random = new Random(7);
        List<Original> originals = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            originals.add(new Original(ErrorReason.INFERENCE, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    bytes(random, 100), new RecordHeaders()));
        }
        writeDeadLetters(dlq, "images", originals);

        Run first = replay("--from", dlq, "--to", target, "--reason", "INFERENCE", "--group", "replayer", "--max", "4");
        assertThat(first.lastLine()).as(first.toString()).isEqualTo("replayed=4 skipped=0");
        Run second = replay("--from", dlq, "--to", target, "--reason", "INFERENCE", "--group", "replayer");
        assertThat(second.lastLine()).as(second.toString()).isEqualTo("replayed=2 skipped=0");
        Run third = replay("--from", dlq, "--to", target, "--reason", "INFERENCE", "--group", "replayer");
        assertThat(third.lastLine()).as(third.toString()).isEqualTo("replayed=0 skipped=0");

        List<ConsumerRecord<byte[], byte[]>> arrived = KafkaClients.readFromStart(kafka.bootstrapServers(), target,
                7, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Duration.ofSeconds(5));
        assertThat(arrived.stream().map(r -> HexFormat.of().formatHex(r.value())))
                .as("every dead letter replayed exactly once over the three runs")
                .containsExactlyInAnyOrderElementsOf(originals.stream()
                        .map(o -> HexFormat.of().formatHex(o.value())).toList());
    }

    @Test
    void replayedImagesAreClassifiedByTheRunningApplication() throws Exception {
        PipelineFixture.ModelChoice model = PipelineFixture.model(tmp);
        AppConfig config = PipelineFixture.appConfig(kafka, registry, model.dir(), tmp.resolve("state"), Map.of());
        int count = 12;
        SyntheticImages images = new SyntheticImages(31, count, "replay-it");
        List<Original> originals = new ArrayList<>();
        try (StreamsAppRunner app = PipelineFixture.startApp(config);
                AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class,
                        SchemaRegistryClient.forUrl(registry.url()), false)) {
            for (int i = 0; i < count; i++) {
                ImageRecord record = images.record(i, Instant.ofEpochMilli(1_700_000_000_000L + i));
                byte[] value = serde.serializer().serialize(PipelineFixture.INPUT, record);
                originals.add(new Original(ErrorReason.MODEL_UNAVAILABLE,
                        images.imageId(i).getBytes(StandardCharsets.UTF_8), value, new RecordHeaders()));
            }
            writeDeadLetters(PipelineFixture.DLQ, PipelineFixture.INPUT, originals);

            Run run = replay("--reason", "MODEL_UNAVAILABLE");
            assertThat(run.exit).as(run.toString()).isZero();
            assertThat(run.lastLine()).isEqualTo("replayed=" + count + " skipped=0");

            PipelineFixture.Collected collected = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(),
                    registry, config.applicationId(), Duration.ofSeconds(90), () -> assertThat(app.state())
                            .isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING));
            assertThat(collected.deadLetters()).as("no new dead letters; only the %d written by the test", count)
                    .hasSize(count);
            List<ClassificationResult> results = collected.results().stream().map(ConsumerRecord::value).toList();
            assertThat(results.stream().map(ClassificationResult::getImageId))
                    .containsExactlyInAnyOrderElementsOf(originals.stream()
                            .map(o -> new String(o.key(), StandardCharsets.UTF_8)).toList());
            if (model.shipped()) {
                long correct = results.stream()
                        .filter(r -> r.getTopK().get(0).getLabel().equals(r.getGroundTruthLabel())).count();
                assertThat(correct).as("replayed images classified correctly by the shipped model")
                        .isGreaterThanOrEqualTo(count - 1);
            }
        }
    }

    @Test
    void refusesUnknownTopicsReasonsAndLoopsWithAClearMessage() throws Exception {
        createTopics(new NewTopic("replay-c-dlq", 1, (short) 1));
        Run missing = replay("--from", "no-such-dlq", "--to", "replay-c-images", "--reason", "TIMEOUT");
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.err).contains("no topic 'no-such-dlq'");
        Run missingTarget = replay("--from", "replay-c-dlq", "--to", "no-such-images", "--reason", "TIMEOUT");
        assertThat(missingTarget.exit).isEqualTo(1);
        assertThat(missingTarget.err).contains("no topic 'no-such-images'");
        Run badReason = replay("--from", "replay-c-dlq", "--reason", "SLOW");
        assertThat(badReason.exit).isEqualTo(2);
        assertThat(badReason.err).contains("SLOW").contains("TIMEOUT");
        Run loop = replay("--from", "replay-c-dlq", "--to", "replay-c-dlq", "--reason", "TIMEOUT");
        assertThat(loop.exit).isEqualTo(2);
        assertThat(loop.err).contains("--from and --to must differ");
        Run noReason = replay("--from", "replay-c-dlq");
        assertThat(noReason.exit).isEqualTo(2);
        assertThat(noReason.err).contains("--reason");
    }

    private void writeDeadLetters(String dlq, String originalTopic, List<Original> originals) throws Exception {
        DeadLetterWriter writer = DeadLetterWriter.fromConfig(Map.of(DeadLetterWriter.DLQ_TOPIC_CONFIG, dlq,
                DeadLetterWriter.INSTANCE_ID_CONFIG, "replay-it", "schema.registry.url", registry.url()));
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                new ByteArraySerializer(), new ByteArraySerializer(), Map.of())) {
            for (int i = 0; i < originals.size(); i++) {
                Original o = originals.get(i);
                FailedRecord failed = new FailedRecord(originalTopic, 0, i, o.key(), o.value(), 1_700_000_000_000L,
                        o.headers());
                DeadLetter letter = writer.deadLetter(o.reason(), Stage.values()[0], "written by the test", null,
                        failed);
                producer.send(writer.record(letter, o.key())).get();
            }
        }
    }

    private static void createTopics(NewTopic... topics) throws Exception {
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.createTopics(List.of(topics)).all().get();
        }
    }

    private Run replay(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("replay", "-b", kafka.bootstrapServers(), "-r", registry.url()));
        all.addAll(List.of(args));
        var cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private record Run(int exit, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1].strip();
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String describe(ConsumerRecord<byte[], byte[]> r) {
        return describe(r.key(), r.value(), r.headers());
    }

    /** Key, value and the ordered headers as text, so records compare by content. */
    private static String describe(byte[] key, byte[] value, Iterable<Header> headers) {
        HexFormat hex = HexFormat.of();
        StringBuilder s = new StringBuilder("key=").append(key == null ? "null" : hex.formatHex(key))
                .append(" value=").append(hex.formatHex(value)).append(" headers=[");
        for (Header h : headers) {
            s.append(h.key()).append('=').append(h.value() == null ? "null" : hex.formatHex(h.value())).append(';');
        }
        return s.append(']').toString();
    }
}
