package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.avro.ModelRelease;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.IncompatibleSchemaException;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.schemas.registry.SchemaRegistryException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka-backed embedded registry on a real broker: stable ids, compatibility enforcement with
 * Confluent's 409 answer, and state rebuilt from {@code _schemas} after registry and broker restart
 * on the same data directory.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SchemaRegistryIntegrationTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Version 1 of a small test contract. */
    private static final Schema READING_V1 = SchemaBuilder.record("Reading").namespace("dev.retina.it")
            .fields().requiredString("sensor").requiredDouble("value").endRecord();
    /** Adds a field with a default: BACKWARD compatible (new readers fill the default for old data). */
    private static final Schema READING_V2 = SchemaBuilder.record("Reading").namespace("dev.retina.it")
            .fields().requiredString("sensor").requiredDouble("value")
            .name("unit").type().stringType().stringDefault("celsius").endRecord();
    /** Adds a required field without default: new readers cannot read old data, so BACKWARD rejects it. */
    private static final Schema READING_INCOMPATIBLE = SchemaBuilder.record("Reading").namespace("dev.retina.it")
            .fields().requiredString("sensor").requiredDouble("value").requiredLong("sequence").endRecord();

    @TempDir
    Path tmp;

    @Test
    void sameSchemaGetsSameIdAndIncompatibleChangeIsRefusedWith409() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url());
            int id = client.register("readings-value", READING_V1);

            // A fresh client has no cache: the registry itself answers with the same id.
            SchemaRegistryClient fresh = SchemaRegistryClient.forUrl(registry.url());
            assertThat(fresh.register("readings-value", READING_V1)).isEqualTo(id);
            assertThat(fresh.register("other-readings-value", READING_V1)).as("ids are global").isEqualTo(id);
            assertThat(fresh.versions("readings-value")).containsExactly(1);

            int v2 = fresh.register("readings-value", READING_V2);
            assertThat(v2).isNotEqualTo(id);
            assertThat(fresh.versions("readings-value")).containsExactly(1, 2);

            assertThatThrownBy(() -> fresh.register("readings-value", READING_INCOMPATIBLE))
                    .isInstanceOf(IncompatibleSchemaException.class)
                    .satisfies(e -> {
                        SchemaRegistryException sre = (SchemaRegistryException) e;
                        assertThat(sre.httpStatus()).isEqualTo(409);
                        assertThat(sre.reason()).isEqualTo(SchemaRegistryException.Reason.INCOMPATIBLE);
                    });
            assertThat(fresh.versions("readings-value")).as("nothing registered").containsExactly(1, 2);

            // On the wire, as Confluent answers: HTTP 409 with {"error_code": 409, "message": ...}.
            HttpResponse<String> raw = postSchema(registry.url(), "readings-value", READING_INCOMPATIBLE);
            assertThat(raw.statusCode()).isEqualTo(409);
            JsonNode body = JSON.readTree(raw.body());
            assertThat(body.path("error_code").asInt()).isEqualTo(409);
            assertThat(body.path("message").asText()).isNotBlank();
        }
    }

    @Test
    void idsAndRecordsSurviveRegistryAndBrokerRestartOnTheSameDataDir() throws Exception {
        Path dataDir = tmp.resolve("stack");
        Random rnd = new Random(42);
        List<ImageRecord> sent = new ArrayList<>();
        int imageId;
        int readingId;
        int modelId;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optDataDir(dataDir).start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url());
            readingId = client.register("readings-value", READING_V1);
            modelId = client.register("models-value", ModelRelease.getClassSchema());
            AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class, client, false);
            try (KafkaProducer<String, ImageRecord> producer = KafkaClients.producer(kafka.bootstrapServers(),
                    new StringSerializer(), serde.serializer(), Map.of())) {
                for (int i = 0; i < 4; i++) {
                    ImageRecord r = SampleRecords.imageRecord(rnd, "kept-" + i);
                    producer.send(new ProducerRecord<>("kept-images", r.getImageId(), r)).get(30, TimeUnit.SECONDS);
                    sent.add(r);
                }
            }
            imageId = client.lookup("kept-images-value", ImageRecord.getClassSchema()).id();
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optDataDir(dataDir).start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url());
            assertThat(client.listSubjects())
                    .containsExactlyInAnyOrder("readings-value", "models-value", "kept-images-value");
            assertThat(client.lookup("kept-images-value", ImageRecord.getClassSchema()).id()).isEqualTo(imageId);
            assertThat(client.register("readings-value", READING_V1)).isEqualTo(readingId);
            assertThat(client.getById(modelId)).isEqualTo(ModelRelease.getClassSchema());
            // A schema new after the restart gets an id no earlier schema had.
            int newId = client.register("readings-value", READING_V2);
            assertThat(newId).isNotIn(imageId, readingId, modelId);

            AvroSerde<ImageRecord> reader = new AvroSerde<>(ImageRecord.class);
            reader.configure(Map.of("schema.registry.url", registry.url()), false);
            List<ConsumerRecord<String, ImageRecord>> read = KafkaClients.readFromStart(kafka.bootstrapServers(),
                    "kept-images", sent.size(), new StringDeserializer(), reader.deserializer(), READ_TIMEOUT);
            assertThat(read).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    private static HttpResponse<String> postSchema(String baseUrl, String subject, Schema schema) throws Exception {
        String body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
