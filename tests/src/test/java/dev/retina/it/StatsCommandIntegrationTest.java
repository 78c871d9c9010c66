package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.retina.cli.RetinaCli;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.DriftSummary;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code retina stats} on a real broker and registry: FeatureStats windows written to a stats topic (three windows
 * of two model versions over two partitions, and one record that is not FeatureStats) come back as tables, JSON
 * lines, filtered by model, capped by --max, and followed as new windows arrive.
 */
@Tag("integration")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class StatsCommandIntegrationTest {

    private static final String TOPIC = "stats";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafka kafka;
    private static EmbeddedSchemaRegistry registry;
    private static final List<FeatureStats> windows = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        AvroTrust.ensureTrusted();
        kafka = EmbeddedKafka.builder().start();
        registry = EmbeddedSchemaRegistry.inMemory(0);
        try (var admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1), new NewTopic("follow", 1, (short) 1)))
                    .all().get();
        }
        FeatureStats first = SampleRecords.featureStats(new Random(3));
        windows.add(first);
        windows.add(FeatureStats.newBuilder(first)
                .setWindowStart(first.getWindowEnd()).setWindowEnd(first.getWindowEnd().plusSeconds(60))
                .setCount(80)
                .setDrift(DriftSummary.newBuilder(first.getDrift()).setPsiClass(0.75).setDrift(true).build())
                .build());
        windows.add(FeatureStats.newBuilder(SampleRecords.featureStatsWithoutOptionals()).setModelVersion("4")
                .setCount(33).setLateCount(5).setSource("camera-2").build());
        try (KafkaProducer<String, byte[]> producer = producer()) {
            // Both windows of version 3 in partition 0, in order; version 4 and a stray record in partition 1.
            send(producer, TOPIC, 0, windows.get(0));
            send(producer, TOPIC, 0, windows.get(1));
            send(producer, TOPIC, 1, windows.get(2));
            producer.send(new ProducerRecord<>(TOPIC, 1, "junk", new byte[] {0, 0, 0, 0})).get();
        }
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return KafkaClients.producer(kafka.bootstrapServers(), new StringSerializer(), new ByteArraySerializer(),
                Map.of());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, int partition, FeatureStats s)
            throws Exception {
        try (AvroSerde<FeatureStats> serde = new AvroSerde<>(FeatureStats.class,
                SchemaRegistryClient.forUrl(registry.url()), false)) {
            String key = s.getModelName() + ":" + s.getModelVersion() + "@" + s.getWindowStart().toEpochMilli();
            producer.send(new ProducerRecord<>(topic, partition, key, serde.serializer().serialize(topic, s))).get();
        }
    }

    /** Runs the command; returns exit code, stdout and stderr. */
    private static Run stats(String... extra) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("stats", "-b", kafka.bootstrapServers(), "-r", registry.url()));
        args.addAll(List.of(extra));
        int code = cli.execute(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    record Run(int code, String out, String err) {
    }

    @Test
    void printsEveryWindowAsATableAndStopsWhenCaughtUp() {
        Run run = stats("--topic", TOPIC);

        assertThat(run.code()).as(run.err()).isZero();
        List<String> headers = run.out().lines().filter(l -> l.startsWith("mobilenetv2:")).toList();
        // Sorted by window start, then model version, whatever partition each came from.
        assertThat(headers).hasSize(3);
        assertThat(headers.get(0)).startsWith("mobilenetv2:3 ").endsWith("images 120  late 0");
        assertThat(headers.get(1)).startsWith("mobilenetv2:4  source camera-2  ").endsWith("images 33  late 5");
        assertThat(headers.get(2)).startsWith("mobilenetv2:3 ").endsWith("images 80  late 0");
        assertThat(run.out().lines().toList()).last().asString().startsWith("1@1 not a FeatureStats record");
        assertThat(run.out()).contains("  classes     cat 70, dog 50")
                .contains("  accuracy    0.900  36 of 40 labelled  lowest recall dog 0.850 (17 of 20)")
                .contains("  input       320-1024x240-768  brightness 0.470  contrast 0.000")
                .contains("  drift       DRIFT  psi class 0.750  confidence 0.020  threshold 0.20"
                        + "  embedding shift 0.110\n  reference   window-0\n")
                .contains("  drift       no reference yet")
                .containsPattern("(?m)^  cat  █+ 70   58\\.3%$")
                .containsPattern("(?m)^1@1 not a FeatureStats record \\(4 bytes\\): ");
    }

    @Test
    void jsonLinesCarryTheSchemaFields() throws Exception {
        Run run = stats("--topic", TOPIC, "--json", "--model", "mobilenetv2:3");

        assertThat(run.code()).as(run.err()).isZero();
        // The record that is not FeatureStats could be any model's: it is reported whatever the filter.
        assertThat(run.out().lines().filter(l -> l.contains("\"undecodable\"")).toList()).hasSize(1);
        List<String> lines = run.out().lines().filter(l -> !l.contains("\"undecodable\"")).toList();
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("modelName").asText()).isEqualTo("mobilenetv2");
        assertThat(first.get("modelVersion").asText()).isEqualTo("3");
        assertThat(first.get("count").asLong()).isEqualTo(120);
        assertThat(first.get("windowStart").asText()).isEqualTo(windows.get(0).getWindowStart().toString());
        assertThat(first.get("classCounts").get(0).get("label").asText()).isEqualTo("cat");
        assertThat(first.get("confidence").get("p95").asDouble()).isEqualTo(0.99);
        assertThat(first.get("embedding").get("mean")).hasSize(8);
        assertThat(JSON.readTree(lines.get(1)).get("drift").get("drift").asBoolean()).isTrue();
    }

    @Test
    void undecodableRecordsAreReportedInJsonToo() throws Exception {
        Run run = stats("--topic", TOPIC, "--json");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().lines()).hasSize(4);
        assertThat(run.out().lines().filter(l -> l.contains("\"undecodable\"")).toList()).singleElement()
                .satisfies(l -> {
                    JsonNode n = JSON.readTree(l);
                    assertThat(n.get("partition").asInt()).isEqualTo(1);
                    assertThat(n.get("offset").asLong()).isEqualTo(1);
                    assertThat(n.get("undecodable").asText()).startsWith("not a FeatureStats record (4 bytes)");
                });
    }

    @Test
    void modelFilterAndMaxWithoutChart() {
        Run byName = stats("--topic", TOPIC, "--model", "mobilenetv2:4", "--no-chart");
        assertThat(byName.code()).as(byName.err()).isZero();
        assertThat(byName.out().lines().filter(l -> l.startsWith("mobilenetv2:"))).singleElement().asString()
                .startsWith("mobilenetv2:4 ");
        assertThat(byName.out()).doesNotContain("█").doesNotContain("58.3%");

        Run bySource = stats("--topic", TOPIC, "--source", "camera-2", "--json");
        assertThat(bySource.code()).as(bySource.err()).isZero();
        assertThat(bySource.out().lines().filter(l -> l.contains("\"modelName\""))).singleElement().asString()
                .contains("\"modelVersion\":\"4\"").contains("\"source\":\"camera-2\"");

        Run none = stats("--topic", TOPIC, "--model", "resnet", "--json");
        assertThat(none.code()).isZero();
        assertThat(none.out()).doesNotContain("mobilenetv2");
        assertThat(none.err()).contains("retina stats: no windows of resnet on topic 'stats' yet; a window is"
                + " written once it closes");

        Run capped = stats("--topic", TOPIC, "--model", "mobilenetv2", "--max", "1", "--json");
        assertThat(capped.code()).isZero();
        assertThat(capped.out().lines().filter(l -> l.contains("\"modelName\""))).hasSize(1);
    }

    @Test
    void followPrintsWindowsAsTheyArrive() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, "follow", 0, windows.get(0));
            CompletableFuture<Run> running = CompletableFuture.supplyAsync(
                    () -> stats("--topic", "follow", "--follow", "--max", "2", "--json"));
            // Only --max ends a follow besides Ctrl-C: after the first window it must still be waiting.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> !running.isDone());
            send(producer, "follow", 0, windows.get(1));
            Run run = running.get(60, TimeUnit.SECONDS);
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out().lines().map(l -> l.contains("\"count\":80")).toList()).containsExactly(false, true);
        }
    }

    @Test
    void unreachableRegistryStopsWithItsReason() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("stats", "-b", kafka.bootstrapServers(), "-r", "http://localhost:" + port, "--topic",
                TOPIC, "-X", "schema.registry.max.retries=0");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("retina stats: error: Cannot fetch writer schema")
                .contains("from the schema registry");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void missingTopicIsNamed() {
        Run run = stats("--topic", "no-such-stats");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("retina stats: error: topic 'no-such-stats' does not exist on "
                + kafka.bootstrapServers() + "; expected the statistics topic of the app");
    }
}
