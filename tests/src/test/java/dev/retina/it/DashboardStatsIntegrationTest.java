package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.dashboard.Dashboard;
import dev.retina.streams.dashboard.DashboardSettings;
import dev.retina.streams.dashboard.Views;
import dev.retina.streams.model.LiveModel;
import dev.retina.streams.model.ModelUnavailableException;
import dev.retina.streams.model.ServingModel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard's statistics reader on the embedded broker: it waits for a stats topic that does not exist yet,
 * reads FeatureStats windows once it does, and skips a record it cannot deserialize without losing the next one.
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardStatsIntegrationTest {

    private static EmbeddedKafka kafka;
    private static EmbeddedSchemaRegistry registry;

    private static final LiveModel NO_MODEL = new LiveModel() {
        @Override
        public ServingModel current() {
            throw new ModelUnavailableException("no model in this test");
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() {
        AvroTrust.ensureTrusted();
        kafka = EmbeddedKafka.builder().start();
        registry = EmbeddedSchemaRegistry.inMemory(0);
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

    @Test
    void waitsForTheTopicThenShowsWindowsAndSkipsUnreadableRecords() throws Exception {
        String topic = "stats-later-" + UUID.randomUUID();
        try (Dashboard dashboard = new Dashboard(DashboardSettings.defaults(8), "a", "app", topic, NO_MODEL,
                ImageDecoder.withDefaults(), null, Clock.systemUTC()).start()) {
            dashboard.readStats(topic, Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.CLIENT_ID_CONFIG, "dashboard-stats-test"),
                    Map.of("schema.registry.url", registry.url()));
            await().atMost(Duration.ofSeconds(30)).until(() -> dashboard.state().snapshot().stats().status()
                    .equals("waiting for topic " + topic + " (no statistics written yet)"));

            try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            }
            FeatureStats window = SampleRecords.featureStats(new Random(3));
            try (AvroSerde<FeatureStats> serde = new AvroSerde<>(FeatureStats.class,
                        SchemaRegistryClient.forUrl(registry.url()), false);
                    KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                            new ByteArraySerializer(), new ByteArraySerializer(), Map.of())) {
                producer.send(new ProducerRecord<>(topic, 0, null, "not avro".getBytes(StandardCharsets.UTF_8)))
                        .get();
                producer.send(new ProducerRecord<>(topic, 0, null, serde.serializer().serialize(topic, window)))
                        .get();
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> dashboard.state().snapshot().stats().windows().size() == 1);
            Views.StatsWindow shown = dashboard.state().snapshot().stats().windows().get(0);
            assertThat(shown.modelName()).isEqualTo("mobilenetv2");
            assertThat(shown.modelVersion()).isEqualTo("3");
            assertThat(shown.count()).isEqualTo(120);
            assertThat(shown.classCounts()).containsExactly(Map.entry("cat", 70L), Map.entry("dog", 50L));
            assertThat(shown.accuracy()).isEqualTo(0.9);
            assertThat(shown.psiClass()).isEqualTo(0.04);
            assertThat(shown.drift()).isFalse();
            assertThat(shown.windowEnd() - shown.windowStart()).isEqualTo(60_000);
            assertThat(dashboard.state().snapshot().stats().status())
                    .isEqualTo("skipped an unreadable record at " + topic + "-0@0");
        }
    }
}
