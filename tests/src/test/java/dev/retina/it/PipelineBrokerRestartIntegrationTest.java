package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.SyntheticProducer;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops and restarts on the same data directory in the middle of a stream of images (the producer keeps
 * sending, the application is processing): the application recovers on its own, and under exactly_once_v2 every
 * image has exactly one committed result (0 lost, 0 duplicates).
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PipelineBrokerRestartIntegrationTest {

    private static final int IMAGES = 300;
    private static final double RATE = 40;

    @TempDir
    Path tmp;

    @Test
    void appRecoversFromABrokerRestartMidStreamWithNothingLostOrDuplicated() throws Exception {
        PipelineFixture.ModelChoice model = PipelineFixture.model(tmp);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optDataDir(tmp.resolve("kafka")).start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            AppConfig config = PipelineFixture.appConfig(kafka, registry, model.dir(), tmp.resolve("state"), Map.of());
            try (StreamsAppRunner app = PipelineFixture.startApp(config)) {
                List<SyntheticProducer.Item> plan = new CopyOnWriteArrayList<>();
                CompletableFuture<SyntheticProducer.Summary> sending = CompletableFuture.supplyAsync(() -> {
                    try {
                        return PipelineFixture.produce(kafka.bootstrapServers(), registry, 11, IMAGES, 0, RATE,
                                plan::addAll);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                });
                // Restart once a fifth of the images have committed results, while the rest are still coming.
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                        PipelineFixture.readCommitted(kafka.bootstrapServers(), registry).results().size()
                                >= IMAGES / 5);
                assertThat(sending).isNotDone();
                kafka.restartBroker(EmbeddedKafka.FIRST_BROKER_ID);

                SyntheticProducer.Summary sent = sending.get(150, TimeUnit.SECONDS);
                assertThat(sent.failed()).as("the idempotent producer retries across the restart").isZero();
                assertThat(sent.sent()).isEqualTo(IMAGES);
                PipelineFixture.Collected out = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(), registry,
                        config.applicationId(), Duration.ofSeconds(150), () -> { });

                List<ConsumerRecord<String, ClassificationResult>> results = out.results();
                assertThat(out.deadLetters()).isEmpty();
                assertThat(results).extracting(r -> r.value().getImageId()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(plan.stream().map(SyntheticProducer.Item::imageId)
                                .toList());
                await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == KafkaStreams.State.RUNNING);
            }
        }
    }
}
