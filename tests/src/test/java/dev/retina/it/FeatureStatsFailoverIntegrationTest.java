package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.SyntheticImages;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Window statistics survive the loss of an instance: two instances under exactly_once_v2 share a 4-partition input
 * topic (one of them a separate JVM, {@code retina app}), statistics are kept per image source (eight sources, so
 * both instances hold window state), and the second instance is killed with SIGKILL while images of one event-time
 * window stream in. Once every image is processed, one later image per source closes the window; each source's
 * FeatureStats for that window must count exactly the images of that source with timestamps in it, and there must be
 * exactly one such record per source: no double counting from replayed input, no gaps from lost state.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FeatureStatsFailoverIntegrationTest {

    private static final String STATS = "image-stats";
    private static final int IMAGES = 240;
    private static final int SOURCES = 8;
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofSeconds(10);
    /** The window under test: event times are set explicitly, so it does not depend on the wall clock. */
    private static final Instant WINDOW_START = Instant.parse("2026-01-01T00:00:00Z");
    /** Store changelog retention beyond the window's age (about 460 days). */
    private static final String OLD_DATA_RETENTION_MS = "40000000000";

    @TempDir
    Path tmp;

    @Test
    void windowCountIsExactAfterSigkillMidWindow() throws Exception {
        PipelineFixture.ModelChoice model = PipelineFixture.model(tmp);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(PipelineFixture.INPUT, 4, (short) 1))).all().get();
            }
            String applicationId = "it-stats-failover";
            Map<String, String> settings = Map.of(AppConfig.APPLICATION_ID, applicationId,
                    AppConfig.PROCESSING_GUARANTEE, "exactly_once_v2",
                    AppConfig.INSTANCE_ID, "survivor",
                    AppConfig.STATS_BY_SOURCE, "true",
                    AppConfig.STATS_WINDOW_MS, Long.toString(WINDOW.toMillis()),
                    AppConfig.STATS_GRACE_MS, Long.toString(GRACE.toMillis()),
                    AppConfig.KAFKA_PREFIX + "consumer.session.timeout.ms", "6000",
                    AppConfig.KAFKA_PREFIX + "consumer.heartbeat.interval.ms", "1000",
                    // Keep the repartition topic readable for the check below.
                    AppConfig.KAFKA_PREFIX + "repartition.purge.interval.ms", "600000",
                    // The window is months older than the wall clock (a replay): its store changelog must be kept
                    // that long, or the broker drops it by record time and a failover restores the window short
                    // (docs/STATISTICS.md, "Replaying old images").
                    AppConfig.KAFKA_PREFIX + "windowstore.changelog.additional.retention.ms", OLD_DATA_RETENTION_MS);
            AppConfig config = PipelineFixture.appConfig(kafka, registry, model.dir(), tmp.resolve("state"), settings);
            Path stderr = tmp.resolve("victim-stderr.log");
            Process victim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("surefire.test.class.path",
                            System.getProperty("java.class.path")),
                    RetinaCli.class.getName(), "app", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--schema-registry-url", registry.url(), "--model-dir", model.dir().toString(),
                    "-X", "application.id=" + applicationId, "-X", "processing.guarantee=exactly_once_v2",
                    "-X", "instance.id=victim", "-X", "http.port=-1",
                    "-X", "stats.by.source=true", "-X", "stats.window.ms=" + WINDOW.toMillis(),
                    "-X", "stats.grace.ms=" + GRACE.toMillis(),
                    "-X", "kafka.state.dir=" + tmp.resolve("victim-state"), "-X", "kafka.commit.interval.ms=100",
                    "-X", "kafka.consumer.session.timeout.ms=6000", "-X", "kafka.consumer.heartbeat.interval.ms=1000",
                    "-X", "engine.threads=1", "-X", "kafka.repartition.purge.interval.ms=600000",
                    "-X", "kafka.windowstore.changelog.additional.retention.ms=" + OLD_DATA_RETENTION_MS)
                    .redirectError(stderr.toFile()).redirectOutput(tmp.resolve("victim-stdout.log").toFile())
                    .start();
            SyntheticImages images = new SyntheticImages(77, IMAGES + SOURCES, "it");
            try (StreamsAppRunner survivor = PipelineFixture.startApp(config);
                    KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                            new StringSerializer(), new ByteArraySerializer(), Map.of());
                    AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class,
                            SchemaRegistryClient.forUrl(registry.url()), false)) {
                // Both instances in the group and sharing the partitions before the first image is sent.
                try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                        var group = admin.describeConsumerGroups(List.of(applicationId)).all().get()
                                .get(applicationId);
                        return group.members().size() == 2
                                && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                    });
                }
                int firstPart = IMAGES / 3;
                for (int i = 0; i < firstPart; i++) {
                    send(producer, serde, images, i, WINDOW_START.plusMillis(200L * i));
                }
                producer.flush();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
                        PipelineFixture.readCommitted(kafka.bootstrapServers(), registry).results().stream()
                                .filter(r -> r.value().getInstanceId().equals("victim")).count() >= 5);
                // The rest of the window's images, paced, with the victim killed while they stream in.
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                    for (int i = firstPart; i < IMAGES; i++) {
                        send(producer, serde, images, i, WINDOW_START.plusMillis(200L * i));
                        if (i % 8 == 7) {
                            pause(producer, Duration.ofMillis(200));
                        }
                    }
                    producer.flush();
                });
                victim.destroyForcibly(); // SIGKILL: open transactions are aborted, state is restored elsewhere
                assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
                sending.get(120, TimeUnit.SECONDS);

                // All images in, and no window closed yet: then one later image per source closes its window.
                PipelineFixture.Collected collected = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(),
                        registry, applicationId, Duration.ofSeconds(150), () -> { });
                Map<String, String> sourceById = new HashMap<>();
                collected.results().forEach(r -> sourceById.putIfAbsent(r.value().getImageId().toString(),
                        String.valueOf(r.value().getSource())));
                Map<String, Long> classified = new TreeMap<>();
                sourceById.values().forEach(source -> classified.merge(source, 1L, Long::sum));
                System.out.printf("stats failover: %d results (%d distinct), %d dead letters, per source %s%n",
                        collected.results().size(), classified.values().stream().mapToLong(Long::longValue).sum(),
                        collected.deadLetters().size(), classified);
                assertThat(collected.deadLetters()).isEmpty();
                assertThat(classified).as("every image classified once, whichever instance did it")
                        .isEqualTo(expectedPerSource());
                Instant after = WINDOW_START.plus(WINDOW).plus(GRACE).plusSeconds(1);
                for (int i = IMAGES; i < IMAGES + SOURCES; i++) {
                    send(producer, serde, images, i, after);
                }
                producer.flush();

                Map<String, Long> expected = expectedPerSource();
                SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url());
                List<FeatureStats> window = new ArrayList<>();
                try (AvroSerde<FeatureStats> statsSerde = new AvroSerde<>(FeatureStats.class, client, false)) {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
                        window.clear();
                        for (ConsumerRecord<String, byte[]> r : PipelineFixture.readToEnd(kafka.bootstrapServers(),
                                List.of(STATS))) {
                            FeatureStats s = statsSerde.deserializer().deserialize(STATS, r.value());
                            if (s.getWindowStart().equals(WINDOW_START)) {
                                window.add(s);
                            }
                        }
                        return window.size() >= SOURCES;
                    });
                }
                Map<String, Long> repartitioned = new TreeMap<>();
                for (ConsumerRecord<String, byte[]> r : PipelineFixture.readToEnd(kafka.bootstrapServers(),
                        List.of(applicationId + "-feature-stats-by-model-repartition"))) {
                    if (r.timestamp() < WINDOW_START.plus(WINDOW).toEpochMilli()) {
                        repartitioned.merge(r.key(), 1L, Long::sum);
                    }
                }
                System.out.printf("stats failover: committed observations in the repartition topic %s%n",
                        repartitioned);
                assertThat(repartitioned.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(IMAGES);
                Map<String, Long> counted = window.stream()
                        .collect(Collectors.toMap(FeatureStats::getSource, FeatureStats::getCount, Long::sum,
                                TreeMap::new));
                System.out.printf("stats failover: window %s counted %s, expected %s%n", WINDOW_START, counted,
                        expected);
                System.out.printf("stats failover: one emitted record: %s%n", window.get(0));
                window.forEach(w -> System.out.printf("stats failover: %s count %d late %d%n", w.getSource(),
                        w.getCount(), w.getLateCount()));
                assertThat(window).as("one record per source for the window").hasSize(SOURCES);
                assertThat(counted).isEqualTo(expected);
                assertThat(window).allSatisfy(s -> {
                    assertThat(s.getWindowEnd()).isEqualTo(WINDOW_START.plus(WINDOW));
                    assertThat(s.getEmbedding()).as("the shapes model's embedding is found automatically").isNotNull();
                    assertThat(s.getEntropy()).isNotNull();
                    assertThat(s.getLateCount()).isZero();
                    assertThat(s.getClassCounts().stream().mapToLong(c -> c.getCount()).sum())
                            .isEqualTo(s.getCount());
                });
            } finally {
                victim.destroyForcibly();
                if (Files.exists(stderr) && victim.waitFor(10, TimeUnit.SECONDS) && victim.exitValue() != 137) {
                    System.err.println(Files.readString(stderr));
                }
            }
        }
    }

    private static Map<String, Long> expectedPerSource() {
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 0; i < IMAGES; i++) {
            expected.merge(source(i), 1L, Long::sum);
        }
        return expected;
    }

    private static String source(int index) {
        return "cam-" + (index % SOURCES);
    }

    private static void send(KafkaProducer<String, byte[]> producer, AvroSerde<ImageRecord> serde,
                             SyntheticImages images, int index, Instant eventTime) {
        ImageRecord record = ImageRecord.newBuilder(images.record(index, eventTime)).setSource(source(index)).build();
        byte[] value = serde.serializer().serialize(PipelineFixture.INPUT, record);
        producer.send(new ProducerRecord<>(PipelineFixture.INPUT, null, eventTime.toEpochMilli(),
                record.getImageId(), value));
    }

    /** Spreads the feed over time so the kill lands mid-stream; flushes first so the pause is real. */
    private static void pause(KafkaProducer<String, byte[]> producer, Duration pause) {
        producer.flush();
        try {
            TimeUnit.MILLISECONDS.sleep(pause.toMillis()); // pacing the producer, not synchronising the test
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
