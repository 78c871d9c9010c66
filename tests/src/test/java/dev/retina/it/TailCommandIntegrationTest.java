package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

/** {@code retina tail} reads real topics: classifications and dead letters as a table, anything as JSON. */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TailCommandIntegrationTest {

    private static EmbeddedKafka kafka;
    private static EmbeddedSchemaRegistry registry;
    private static ClassificationResult result;
    private static DeadLetter deadLetter;

    @BeforeAll
    static void start() throws Exception {
        AvroTrust.ensureTrusted();
        kafka = EmbeddedKafka.builder().start();
        registry = EmbeddedSchemaRegistry.inMemory(0);
        try (var admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("results", 1, (short) 1), new NewTopic("dlq", 1, (short) 1)))
                    .all().get();
        }
        Random rnd = new Random(7);
        result = SampleRecords.classificationResult(rnd, "image-0001");
        deadLetter = SampleRecords.deadLetter(rnd);
        SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url());
        try (AvroSerde<ClassificationResult> results = new AvroSerde<>(ClassificationResult.class, client, false);
                AvroSerde<DeadLetter> letters = new AvroSerde<>(DeadLetter.class, client, false);
                KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                        new StringSerializer(), new ByteArraySerializer(), Map.of())) {
            producer.send(new ProducerRecord<>("results", "image-0001",
                    results.serializer().serialize("results", result))).get();
            producer.send(new ProducerRecord<>("results", "junk", new byte[] {1, 2, 3})).get();
            producer.send(new ProducerRecord<>("dlq", "img-41", letters.serializer().serialize("dlq", deadLetter)))
                    .get();
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

    private static String tail(String... extra) {
        StringWriter out = new StringWriter();
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        String[] base = {"tail", "-b", kafka.bootstrapServers(), "-r", registry.url(), "--from-beginning",
            "--timeout", "20s"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        assertThat(cli.execute(args)).isZero();
        return out.toString();
    }

    @Test
    void classificationsAsATable() {
        List<String> lines = tail("--topic", "results", "--max", "2").lines().toList();

        assertThat(lines.get(0)).startsWith("IMAGE").contains("TOP-1", "SCORE", "MODEL", "LATENCY");
        String top = result.getTopK().get(0).getLabel().toString();
        assertThat(lines.get(1)).startsWith("image-0001").contains(top, "mobilenetv2:3",
                "images-" + result.getLineage().getPartition() + "@" + result.getLineage().getOffset());
        assertThat(lines).anyMatch(l -> l.startsWith("RECORD"));
        assertThat(lines.get(lines.size() - 1)).startsWith("0@1 undecodable (3 bytes)");
    }

    @Test
    void deadLettersShowTheirReason() {
        List<String> lines = tail("--topic", "dlq", "--max", "1").lines().toList();

        assertThat(lines.get(0)).startsWith("REASON").contains("STAGE", "ORIGINAL", "MESSAGE");
        assertThat(lines.get(1)).startsWith("CORRUPT_IMAGE").contains("decode", "images-2@41",
                "expected a PNG IHDR chunk");
    }

    @Test
    void jsonLinesSummariseBytes() {
        List<String> lines = tail("--topic", "dlq", "--max", "1", "--json").lines().toList();

        assertThat(lines).singleElement().asString()
                .startsWith("{\"partition\":0,\"offset\":0,\"key\":\"img-41\",\"value\":{\"reason\":\"CORRUPT_IMAGE\"")
                .contains("\"originalValue\":{\"bytes\":64}");
    }
}
