package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.MalformedKind;
import dev.retina.cli.SyntheticProducer;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison pills on a real broker under exactly_once_v2: valid images mixed with malformed records of every
 * {@link MalformedKind} (eleven kinds, four reason codes). Every valid image gets one result, every malformed record
 * one dead letter with its kind's reason code and its original key and value bytes exactly as they were on the
 * input topic, and Kafka Streams stays RUNNING throughout. The scale by default, 10,000 valid + 1,000 bad;
 * {@code -Dretina.it.images=300 -Dretina.it.bad=44} for a quick local run.
 */
@Tag("integration")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PipelinePoisonPillIntegrationTest {

    private static final int IMAGES = Integer.getInteger("retina.it.images", 10_000);
    private static final int BAD = Integer.getInteger("retina.it.bad", 1_000);

    @TempDir
    Path tmp;

    @Test
    void malformedRecordsAreDeadLetteredWithTheirReasonAndBytesWhileTheAppKeepsRunning() throws Exception {
        PipelineFixture.ModelChoice model = PipelineFixture.model(tmp);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.kafkaBacked(kafka.bootstrapServers(), 0)) {
            AppConfig config = PipelineFixture.appConfig(kafka, registry, model.dir(), tmp.resolve("state"), Map.of());
            try (StreamsAppRunner app = PipelineFixture.startApp(config)) {
                Set<KafkaStreams.State> seen = ConcurrentHashMap.newKeySet();
                List<SyntheticProducer.Item> plan = new ArrayList<>();
                SyntheticProducer.Summary sent = PipelineFixture.produce(kafka.bootstrapServers(), registry, 7,
                        IMAGES, BAD, plan::addAll);
                assertThat(sent.sent()).isEqualTo(IMAGES + BAD);

                PipelineFixture.Collected out = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(), registry,
                        config.applicationId(), Duration.ofSeconds(480), () -> seen.add(app.state()));
                seen.add(app.state());

                assertThat(seen).as("Kafka Streams states seen while the records were processed")
                        .containsOnly(KafkaStreams.State.RUNNING);
                Map<String, SyntheticProducer.Item> byKey = plan.stream()
                        .collect(Collectors.toMap(SyntheticProducer.Item::key, i -> i));
                Map<String, byte[]> input = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : PipelineFixture.readToEnd(kafka.bootstrapServers(),
                        List.of(PipelineFixture.INPUT))) {
                    input.put(r.key(), r.value());
                }
                assertThat(input).hasSize(IMAGES + BAD);

                List<ConsumerRecord<String, ClassificationResult>> results = out.results();
                assertThat(results).hasSize(IMAGES);
                assertThat(results).extracting(ConsumerRecord::key).doesNotHaveDuplicates()
                        .allSatisfy(k -> assertThat(byKey.get(k).valid()).as("result for %s", k).isTrue());

                List<ConsumerRecord<String, DeadLetter>> letters = out.deadLetters();
                assertThat(letters).hasSize(BAD);
                assertThat(letters).extracting(ConsumerRecord::key).doesNotHaveDuplicates();
                Map<MalformedKind, Integer> perKind = new EnumMap<>(MalformedKind.class);
                Map<ErrorReason, Integer> perReason = new EnumMap<>(ErrorReason.class);
                for (ConsumerRecord<String, DeadLetter> r : letters) {
                    SyntheticProducer.Item item = byKey.get(r.key());
                    DeadLetter letter = r.value();
                    assertThat(item).as("planned record for dead letter key %s", r.key()).isNotNull();
                    assertThat(item.valid()).as("%s is a malformed record", r.key()).isFalse();
                    assertThat(letter.getReason()).as("reason of %s (%s): %s", r.key(), item.kind(),
                            letter.getMessage()).isEqualTo(item.kind().expectedReason());
                    assertThat(letter.getOriginalTopic()).isEqualTo(PipelineFixture.INPUT);
                    assertThat(letter.getOriginalOffset()).isNotNegative();
                    assertThat(letter.getMessage()).isNotBlank();
                    assertThat(letter.getStage()).isNotBlank();
                    assertThat(bytes(letter.getOriginalKey()))
                            .isEqualTo(item.key().getBytes(StandardCharsets.UTF_8));
                    byte[] original = input.get(item.key());
                    if (original == null) {
                        assertThat(letter.getOriginalValue()).as("tombstone %s", r.key()).isNull();
                    } else {
                        assertThat(bytes(letter.getOriginalValue())).as("original bytes of %s", r.key())
                                .isEqualTo(original);
                    }
                    perKind.merge(item.kind(), 1, Integer::sum);
                    perReason.merge(letter.getReason(), 1, Integer::sum);
                }
                if (BAD >= MalformedKind.values().length) {
                    assertThat(perKind.keySet()).containsExactlyInAnyOrderElementsOf(
                            EnumSet.allOf(MalformedKind.class));
                }
                System.out.printf("poison pills: %d valid, %d malformed of %d kinds; dead letters by reason %s%n",
                        IMAGES, BAD, perKind.size(), perReason);
                assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(app.isReady()).isTrue();
            }
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
