package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.IncompatibleSchemaException;
import dev.retina.schemas.registry.SchemaNotFoundException;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.schemas.registry.SubjectNotFoundException;
import java.nio.ByteBuffer;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Our {@link SchemaRegistryClient} and {@link AvroSerde} against Confluent's own registry
 * ({@code cp-schema-registry}) backed by an Apache Kafka container, both on one Docker network. Proves
 * the client speaks the real REST API (ids, versions, error codes) and that records our serde writes
 * carry the ids Confluent assigned. Skipped where no Docker engine is available.
 */
@Tag("integration")
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ConfluentSchemaRegistryContainerIntegrationTest {

    private static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    private static final String REGISTRY_IMAGE = "confluentinc/cp-schema-registry:7.9.1";
    /** The broker's address inside the Docker network, for the registry container. */
    private static final String KAFKA_INTERNAL = "kafka:19092";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static final Network NETWORK = Network.newNetwork();

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer(KAFKA_IMAGE)
            .withNetwork(NETWORK)
            .withListener(KAFKA_INTERNAL);

    @Container
    private static final GenericContainer<?> REGISTRY = new GenericContainer<>(REGISTRY_IMAGE)
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://" + KAFKA_INTERNAL)
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));

    private static final Schema READING_V1 = SchemaBuilder.record("Reading").namespace("dev.retina.it")
            .fields().requiredString("sensor").requiredDouble("value").endRecord();
    private static final Schema READING_INCOMPATIBLE = SchemaBuilder.record("Reading").namespace("dev.retina.it")
            .fields().requiredString("sensor").requiredDouble("value").requiredLong("sequence").endRecord();

    private static String registryUrl() {
        return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
    }

    @Test
    void clientMatchesConfluentOnIdsVersionsAndErrors() {
        SchemaRegistryClient client = SchemaRegistryClient.forUrl(registryUrl());
        int id = client.register("cp-readings-value", READING_V1);

        SchemaRegistryClient fresh = SchemaRegistryClient.forUrl(registryUrl());
        assertThat(fresh.register("cp-readings-value", READING_V1)).isEqualTo(id);
        assertThat(fresh.getById(id)).isEqualTo(READING_V1);
        assertThat(fresh.latest("cp-readings-value").id()).isEqualTo(id);
        assertThat(fresh.versions("cp-readings-value")).containsExactly(1);
        assertThat(fresh.testCompatibility("cp-readings-value", READING_INCOMPATIBLE)).isFalse();

        assertThatThrownBy(() -> fresh.register("cp-readings-value", READING_INCOMPATIBLE))
                .isInstanceOf(IncompatibleSchemaException.class);
        assertThatThrownBy(() -> fresh.latest("cp-no-such-subject"))
                .isInstanceOf(SubjectNotFoundException.class)
                .satisfies(e -> assertThat(((SubjectNotFoundException) e).errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> fresh.getById(987_654))
                .isInstanceOf(SchemaNotFoundException.class)
                .satisfies(e -> assertThat(((SchemaNotFoundException) e).errorCode()).isEqualTo(40403));
    }

    @Test
    void serdeRoundTripThroughConfluentRegistryAndKafka() throws Exception {
        String topic = "cp-images";
        AvroSerde<ImageRecord> writer = new AvroSerde<>(ImageRecord.class);
        writer.configure(Map.of("schema.registry.url", registryUrl()), false);
        Random rnd = new Random(9);
        List<ImageRecord> sent = new ArrayList<>();
        try (KafkaProducer<String, ImageRecord> producer = KafkaClients.producer(KAFKA.getBootstrapServers(),
                new StringSerializer(), writer.serializer(), Map.of())) {
            for (int i = 0; i < 3; i++) {
                ImageRecord r = SampleRecords.imageRecord(rnd, "cp-" + i);
                producer.send(new ProducerRecord<>(topic, r.getImageId(), r)).get(30, TimeUnit.SECONDS);
                sent.add(r);
            }
        }

        AvroSerde<ImageRecord> reader = new AvroSerde<>(ImageRecord.class);
        reader.configure(Map.of("schema.registry.url", registryUrl()), false);
        List<ConsumerRecord<String, ImageRecord>> read = KafkaClients.readFromStart(KAFKA.getBootstrapServers(),
                topic, sent.size(), new StringDeserializer(), reader.deserializer(), READ_TIMEOUT);
        assertThat(read).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);

        int confluentId = SchemaRegistryClient.forUrl(registryUrl()).latest(topic + "-value").id();
        List<ConsumerRecord<byte[], byte[]>> raw = KafkaClients.readFromStart(KAFKA.getBootstrapServers(), topic,
                sent.size(), new ByteArrayDeserializer(), new ByteArrayDeserializer(), READ_TIMEOUT);
        assertThat(raw).hasSize(sent.size()).allSatisfy(r -> {
            ByteBuffer frame = ByteBuffer.wrap(r.value());
            assertThat(frame.get()).as("magic byte").isZero();
            assertThat(frame.getInt()).as("schema id assigned by Confluent").isEqualTo(confluentId);
        });
    }
}
