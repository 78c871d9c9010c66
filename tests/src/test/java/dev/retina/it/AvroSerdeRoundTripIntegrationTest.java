package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.avro.ModelRelease;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each of the five contract records goes through a real broker with {@link AvroSerde} against the
 * Kafka-backed embedded registry: produced, consumed by a fresh consumer with its own registry client
 * (so the writer schema is fetched by id, not taken from a cache), and compared with {@code equals}.
 * The raw bytes are checked for the Confluent frame too.
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AvroSerdeRoundTripIntegrationTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedKafka kafka;
    private static EmbeddedSchemaRegistry registry;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.builder().start();
        registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0);
    }

    @AfterAll
    static void stop() {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void imageRecordRoundTrip() {
        Random rnd = new Random(1);
        List<ImageRecord> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(SampleRecords.imageRecord(rnd, "img-" + i));
        }
        roundTrip("rt-images", ImageRecord.class, sent);
    }

    @Test
    void classificationResultRoundTrip() {
        Random rnd = new Random(2);
        roundTrip("rt-classifications", ClassificationResult.class,
                List.of(SampleRecords.classificationResult(rnd, "img-1"),
                        SampleRecords.classificationResult(rnd, "img-2")));
    }

    @Test
    void featureStatsRoundTrip() {
        roundTrip("rt-stats", FeatureStats.class,
                List.of(SampleRecords.featureStats(new Random(3)), SampleRecords.featureStatsWithoutOptionals()));
    }

    @Test
    void deadLetterRoundTrip() {
        DeadLetter full = SampleRecords.deadLetter(new Random(4));
        DeadLetter bare = DeadLetter.newBuilder(full).setOriginalKey(null).setOriginalValue(null)
                .setOriginalHeaders(List.of()).setInstanceId(null).setExceptionClass(null).build();
        roundTrip("rt-dlq", DeadLetter.class, List.of(full, bare));
    }

    @Test
    void modelReleaseRoundTrip() {
        roundTrip("rt-models", ModelRelease.class,
                List.of(SampleRecords.modelRelease(new Random(5)), SampleRecords.modelReleaseByUri()));
    }

    private static <T extends SpecificRecord> void roundTrip(String topic, Class<T> type, List<T> records) {
        AvroSerde<T> writerSerde = new AvroSerde<>(type);
        writerSerde.configure(Map.of("schema.registry.url", registry.url()), false);
        try (KafkaProducer<String, T> producer = KafkaClients.producer(kafka.bootstrapServers(),
                new StringSerializer(), writerSerde.serializer(), Map.of())) {
            for (int i = 0; i < records.size(); i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, records.get(i))).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("producing " + type.getSimpleName() + " to " + topic + " failed", e);
        }

        AvroSerde<T> readerSerde = new AvroSerde<>(type);
        readerSerde.configure(Map.of("schema.registry.url", registry.url()), false);
        List<ConsumerRecord<String, T>> read = KafkaClients.readFromStart(kafka.bootstrapServers(), topic,
                records.size(), new StringDeserializer(), readerSerde.deserializer(), READ_TIMEOUT);

        assertThat(read).extracting(ConsumerRecord::value).containsExactlyElementsOf(records);

        int id = SchemaRegistryClient.forUrl(registry.url()).lookup(topic + "-value",
                records.get(0).getSchema()).id();
        List<ConsumerRecord<byte[], byte[]>> raw = KafkaClients.readFromStart(kafka.bootstrapServers(), topic,
                records.size(), new ByteArrayDeserializer(), new ByteArrayDeserializer(), READ_TIMEOUT);
        assertThat(raw).hasSize(records.size()).allSatisfy(r -> {
            ByteBuffer frame = ByteBuffer.wrap(r.value());
            assertThat(frame.get()).as("magic byte").isZero();
            assertThat(frame.getInt()).as("schema id").isEqualTo(id);
        });
    }
}
