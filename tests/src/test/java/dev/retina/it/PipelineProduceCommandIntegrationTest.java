package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.SyntheticImages;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code retina produce --synthetic N --bad M} against a real broker and registry: N labelled ImageRecords that
 * decode with the registered schema, M raw malformed records beside them, and the summary line.
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PipelineProduceCommandIntegrationTest {

    @Test
    void syntheticImagesAndMalformedRecordsReachTheTopic() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(PipelineFixture.INPUT, 2, (short) 1))).all().get();
            }
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = RetinaCli.newCommandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));

            int code = cli.execute("produce", "-b", kafka.bootstrapServers(), "-r", registry.url(),
                    "--synthetic", "24", "--bad", "11", "--seed", "5", "--rate", "200");

            assertThat(code).as("stderr: %s", err).isZero();
            List<String> lines = out.toString().lines().toList();
            assertThat(lines.get(lines.size() - 1)).startsWith("sent=35 failed=0 valid=24 bad=11 ");
            assertThat(err.toString()).contains("progress 35/35 (100%)");

            List<ConsumerRecord<String, byte[]>> records = PipelineFixture.readToEnd(kafka.bootstrapServers(),
                    List.of(PipelineFixture.INPUT));
            assertThat(records).hasSize(35);
            Map<Boolean, List<ConsumerRecord<String, byte[]>>> byKind = records.stream()
                    .collect(Collectors.partitioningBy(r -> r.key().startsWith("bad-")));
            assertThat(byKind.get(true)).hasSize(11);
            SyntheticImages expected = new SyntheticImages(5, 24, "retina-produce");
            try (AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class,
                    SchemaRegistryClient.forUrl(registry.url()), false)) {
                List<ImageRecord> images = byKind.get(false).stream()
                        .map(r -> serde.deserializer().deserialize(PipelineFixture.INPUT, r.value())).toList();
                assertThat(images).extracting(ImageRecord::getImageId).containsExactlyInAnyOrderElementsOf(
                        java.util.stream.IntStream.range(0, 24).mapToObj(expected::imageId).toList());
                for (ImageRecord image : images) {
                    int index = Integer.parseInt(image.getMetadata().get("synthetic.index"));
                    assertThat(image.getLabel()).isEqualTo(expected.label(index));
                    assertThat(image.getContentType()).isEqualTo("image/png");
                    assertThat(image.getSource()).isEqualTo("retina-produce");
                }
            }
        }
    }
}
