package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.OriginalHeader;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.model.FixedModel;
import dev.retina.streams.model.LiveModel;
import dev.retina.streams.model.ModelUnavailableException;
import dev.retina.streams.model.ServingModel;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every branch of the classification topology in a TopologyTestDriver: a real model package run by the engine, the
 * real exception handlers, a real (embedded, in-memory) schema registry. Dead letters must carry the original key and
 * value bytes unchanged.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InferenceTopologyTest {

    private static final int RED = 0xE01010;
    private static final int GREEN = 0x10C020;
    private static final int BLUE = 0x1020F0;
    private static final Instant T0 = TopologyFixture.NOW.minusMillis(250);
    /** Small limits so the size checks are cheap to trip. */
    private static final Map<String, String> LIMITS = Map.of(
        AppConfig.MAX_IMAGE_PIXELS, "200000",
        AppConfig.MAX_IMAGE_BYTES, "100000",
        AppConfig.TOP_K, "2");

    private static EmbeddedSchemaRegistry registry;
    private static Engine engine;
    private static FixedModel colors;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void start(@TempDir Path repo) {
        registry = EmbeddedSchemaRegistry.inMemory(0);
        engine = Engine.create(1);
        colors = FixedModel.load(ColorModelPackage.write(repo, "3", 4), engine);
    }

    @AfterAll
    static void stop() {
        if (colors != null) {
            colors.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private TopologyFixture fixture(LiveModel model) {
        return fixture(model, Map.of());
    }

    private TopologyFixture fixture(LiveModel model, Map<String, String> extra) {
        Map<String, String> settings = new java.util.HashMap<>(LIMITS);
        settings.putAll(extra);
        return new TopologyFixture(registry.url(), stateDir, settings, model);
    }

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void classifiesEachImageKeepingKeyLineageModelAndLabel() {
        try (TopologyFixture f = fixture(colors)) {
            f.pipe(key("img-1"), f.serialize(TopologyFixture.image("img-1", ColorModelPackage.png(8, 8, RED), "red")),
                T0);
            f.pipe(key("img-2"), f.serialize(TopologyFixture.image("img-2", ColorModelPackage.png(16, 9, GREEN),
                null)), T0);
            f.pipe(key("img-3"), f.serialize(TopologyFixture.image("img-3", ColorModelPackage.png(5, 7, BLUE),
                "blue")), T0);

            List<TestRecord<byte[], ClassificationResult>> results = f.results();
            assertThat(f.deadLetters()).isEmpty();
            assertThat(results).hasSize(3);
            assertThat(results).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("img-1", "img-2", "img-3");
            assertThat(results).extracting(r -> r.value().getTopK().get(0).getLabel())
                .containsExactly("red", "green", "blue");

            ClassificationResult first = results.get(0).value();
            assertThat(first.getImageId()).isEqualTo("img-1");
            assertThat(first.getSource()).isEqualTo("test-camera");
            assertThat(first.getModel().getName()).isEqualTo("colors");
            assertThat(first.getModel().getVersion()).isEqualTo("3");
            assertThat(first.getModel().getSha256()).isEqualTo(colors.current().identity().sha256()).hasSize(64);
            assertThat(first.getTopK()).hasSize(2);
            assertThat(first.getTopK().get(0).getIndex()).isEqualTo(0);
            assertThat(first.getTopK().get(0).getScore()).isGreaterThan(first.getTopK().get(1).getScore());
            // Softmax of logits 10 * channel means: red 224/255, green 16/255, blue 16/255 (PNG is lossless).
            double r = 10 * 224 / 255.0;
            double g = 10 * 16 / 255.0;
            double expected = 1 / (1 + 2 * Math.exp(g - r));
            assertThat(first.getTopK().get(0).getScore()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(first.getInstanceId()).isEqualTo("test-instance");
            assertThat(first.getLineage().getTopic()).isEqualTo("images");
            assertThat(first.getLineage().getPartition()).isZero();
            assertThat(results).extracting(x -> x.value().getLineage().getOffset()).containsExactly(0L, 1L, 2L);
            assertThat(first.getClassifiedAt()).isEqualTo(TopologyFixture.NOW);
            assertThat(first.getTimings().getEndToEndMillis()).isEqualTo(250.0);
            assertThat(first.getTimings().getDecodeMillis()).isGreaterThan(0.0);
            assertThat(first.getTimings().getInferenceMillis()).isGreaterThan(0.0);
            assertThat(first.getGroundTruthLabel()).isEqualTo("red");
            assertThat(results.get(1).value().getGroundTruthLabel()).isNull();
            assertThat(results.get(0).timestamp()).isEqualTo(T0.toEpochMilli());
            assertThat(f.metrics.classifiedBy(colors.current().identity())).isEqualTo(3.0);
            assertThat(f.metrics.registry().get("retina.stage").tag("stage", "end_to_end").timer().count())
                .isEqualTo(3);
        }
    }

    @Test
    void badMagicByteIsDeadLetteredWithOriginalBytes() {
        byte[] value = {0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x31, 0x7d}; // {"id":1}, JSON instead of Avro
        DeadLetter letter = deadLetterFor(colors, key("k-magic"), value);
        assertThat(letter.getReason()).isEqualTo(ErrorReason.DESERIALIZATION);
        assertThat(letter.getStage()).isEqualTo("deserialize");
        assertThat(letter.getMessage()).contains("BAD_MAGIC").contains("0x7b");
    }

    @Test
    void unknownSchemaIdIsDeadLettered() {
        byte[] value = {0, 0x00, 0x01, (byte) 0x86, (byte) 0xa0, 2, 4, 6, 8};
        DeadLetter letter = deadLetterFor(colors, key("k-id"), value);
        assertThat(letter.getReason()).isEqualTo(ErrorReason.DESERIALIZATION);
        assertThat(letter.getMessage()).contains("UNKNOWN_SCHEMA_ID").contains("100000");
        assertThat(letter.getExceptionClass()).isEqualTo("dev.retina.schemas.registry.WireFormatException");
    }

    @Test
    void truncatedAvroBodyIsDeadLettered() {
        try (TopologyFixture f = fixture(colors)) {
            byte[] whole = f.serialize(TopologyFixture.image("img-t", ColorModelPackage.png(8, 8, RED), null));
            byte[] cut = Arrays.copyOf(whole, whole.length / 2);
            f.pipe(key("k-cut"), cut, T0);
            DeadLetter letter = single(f, key("k-cut"), cut);
            assertThat(letter.getReason()).isEqualTo(ErrorReason.DESERIALIZATION);
            assertThat(letter.getStage()).isEqualTo("deserialize");
            assertThat(letter.getMessage()).containsAnyOf("TRUNCATED", "MALFORMED_BODY");
        }
    }

    @Test
    void tooShortValueIsDeadLettered() {
        DeadLetter letter = deadLetterFor(colors, null, new byte[] {0, 0, 1});
        assertThat(letter.getReason()).isEqualTo(ErrorReason.DESERIALIZATION);
        assertThat(letter.getMessage()).contains("TOO_SHORT");
        assertThat(letter.getOriginalKey()).isNull();
    }

    @Test
    void tombstoneIsDeadLettered() {
        try (TopologyFixture f = fixture(colors)) {
            f.pipe(key("k-null"), null, T0);
            List<TestRecord<byte[], DeadLetter>> letters = f.deadLetters();
            assertThat(letters).hasSize(1);
            DeadLetter letter = letters.get(0).value();
            assertThat(letter.getReason()).isEqualTo(ErrorReason.DESERIALIZATION);
            assertThat(letter.getMessage()).contains("tombstone");
            assertThat(letter.getOriginalValue()).isNull();
            assertThat(bytes(letter.getOriginalKey())).isEqualTo(key("k-null"));
        }
    }

    @Test
    void unsupportedFormatIsDeadLetteredAtDecode() {
        DeadLetter letter = imageDeadLetter(colors, "hello, not an image".getBytes(StandardCharsets.US_ASCII),
            Map.of());
        assertThat(letter.getReason()).isEqualTo(ErrorReason.UNSUPPORTED_FORMAT);
        assertThat(letter.getStage()).isEqualTo("decode");
        assertThat(letter.getExceptionClass()).isEqualTo("dev.retina.engine.image.ImageDecodeException");
    }

    @Test
    void corruptImageIsDeadLetteredAtDecode() {
        byte[] png = ColorModelPackage.png(8, 8, RED);
        byte[] truncated = Arrays.copyOf(png, 40); // signature and part of IHDR only
        DeadLetter letter = imageDeadLetter(colors, truncated, Map.of());
        assertThat(letter.getReason()).isEqualTo(ErrorReason.CORRUPT_IMAGE);
        assertThat(letter.getStage()).isEqualTo("decode");
    }

    @Test
    void contentTypeThatContradictsTheSignatureIsUnsupported() {
        try (TopologyFixture f = fixture(colors)) {
            byte[] value = f.serialize(TopologyFixture.image("img-jpg", ColorModelPackage.png(8, 8, RED), null,
                "image/jpeg"));
            f.pipe(key("k-jpg"), value, T0);
            DeadLetter letter = single(f, key("k-jpg"), value);
            assertThat(letter.getReason()).isEqualTo(ErrorReason.UNSUPPORTED_FORMAT);
            assertThat(letter.getStage()).isEqualTo("decode");
            assertThat(letter.getMessage()).contains("'image/jpeg' declares JPEG").contains("PNG signature");
        }
    }

    @Test
    void contentTypeNamingNoImageFormatIsLeftToTheSignature() {
        try (TopologyFixture f = fixture(colors)) {
            f.pipe(key("k-any"), f.serialize(TopologyFixture.image("img-any", ColorModelPackage.png(8, 8, GREEN),
                null, "application/octet-stream")), T0);
            f.pipe(key("k-param"), f.serialize(TopologyFixture.image("img-param", ColorModelPackage.png(8, 8, BLUE),
                null, "IMAGE/PNG; q=1")), T0);
            assertThat(f.deadLetters()).isEmpty();
            assertThat(f.results()).extracting(r -> r.value().getTopK().get(0).getLabel())
                .containsExactly("green", "blue");
        }
    }

    @Test
    void emptyImageBytesAreCorrupt() {
        DeadLetter letter = imageDeadLetter(colors, new byte[0], Map.of());
        assertThat(letter.getReason()).isEqualTo(ErrorReason.CORRUPT_IMAGE);
    }

    @Test
    void imageOverThePixelLimitIsDeadLetteredBeforeDecoding() {
        DeadLetter letter = imageDeadLetter(colors, ColorModelPackage.png(500, 500, GREEN), Map.of());
        assertThat(letter.getReason()).isEqualTo(ErrorReason.IMAGE_TOO_LARGE);
        assertThat(letter.getStage()).isEqualTo("decode");
        assertThat(letter.getMessage()).contains("500x500");
    }

    @Test
    void imageOverTheByteLimitIsDeadLettered() {
        DeadLetter letter = imageDeadLetter(colors, ColorModelPackage.png(8, 8, GREEN),
            Map.of(AppConfig.MAX_IMAGE_BYTES, "50"));
        assertThat(letter.getReason()).isEqualTo(ErrorReason.IMAGE_TOO_LARGE);
        assertThat(letter.getMessage()).contains("50 bytes");
    }

    @Test
    void preprocessingFailureIsDeadLettered(@TempDir Path repo) {
        // Resizing the shorter side of a 1 x 140000 image to 16384 would need a 16384 x 2.3e9 intermediate image.
        Path dir = ColorModelPackage.write(repo, "1", 4, "{\"height\": 4, \"width\": 4, \"resize\": \"shorter_side\","
            + " \"resize_size\": 16384, \"output\": \"logits\"}");
        try (FixedModel shorterSide = FixedModel.load(dir, engine)) {
            DeadLetter letter = imageDeadLetter(shorterSide, ColorModelPackage.png(1, 140_000, RED), Map.of());
            assertThat(letter.getReason()).isEqualTo(ErrorReason.PREPROCESSING);
            assertThat(letter.getStage()).isEqualTo("preprocess");
            assertThat(letter.getMessage()).contains("1x140000").contains("aspect ratio");
        }
    }

    @Test
    void inferenceFailureIsDeadLettered() {
        // The engine session of the 4x4 model fed the 8x8 tensors of a mismatched spec: a real shape error.
        Session session = engine.newSession(OnnxImporter.load(ColorModelPackage.onnx(4).toByteArray()));
        ServingModel mismatched = new ServingModel(colors.current().identity(), ColorModelPackage.LABELS,
            PreprocessSpec.builder(8, 8).build(), session::run);
        try (FixedModel model = FixedModel.of(mismatched, session)) {
            DeadLetter letter = imageDeadLetter(model, ColorModelPackage.png(8, 8, RED), Map.of());
            assertThat(letter.getReason()).isEqualTo(ErrorReason.INFERENCE);
            assertThat(letter.getStage()).isEqualTo("infer");
            assertThat(letter.getMessage()).contains("SHAPE_MISMATCH");
            assertThat(letter.getExceptionClass()).isEqualTo("dev.retina.engine.InferenceException");
        }
    }

    @Test
    void slowInferenceIsDeadLetteredAsTimeoutAndTheNextImageIsServed() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        ServingModel real = colors.current();
        ServingModel slow = new ServingModel(real.identity(), real.labels(), real.spec(), input -> {
            if (entered.getCount() > 0) {
                entered.countDown();
                try {
                    release.await(); // hangs until the test ends, or until the runner interrupts it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return real.inference().run(input);
        });
        try (TopologyFixture f = fixture(FixedModel.of(slow, null), Map.of(AppConfig.INFERENCE_TIMEOUT_MS, "1000"))) {
            byte[] value = f.serialize(TopologyFixture.image("img-slow", ColorModelPackage.png(8, 8, RED), null));
            f.pipe(key("k-slow"), value, T0);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            DeadLetter letter = single(f, key("k-slow"), value);
            assertThat(letter.getReason()).isEqualTo(ErrorReason.TIMEOUT);
            assertThat(letter.getStage()).isEqualTo("infer");
            assertThat(letter.getMessage()).contains("1000 ms");

            f.pipe(key("k-next"), f.serialize(TopologyFixture.image("img-next", ColorModelPackage.png(8, 8, BLUE),
                null)), T0);
            assertThat(f.results()).singleElement()
                .satisfies(r -> assertThat(r.value().getTopK().get(0).getLabel()).isEqualTo("blue"));
        } finally {
            release.countDown();
        }
    }

    @Test
    void missingModelIsDeadLetteredAsModelUnavailable() {
        LiveModel none = new LiveModel() {
            @Override
            public ServingModel current() {
                throw new ModelUnavailableException("no model version has passed validation yet");
            }

            @Override
            public void close() {
            }
        };
        DeadLetter letter = imageDeadLetter(none, ColorModelPackage.png(8, 8, RED), Map.of());
        assertThat(letter.getReason()).isEqualTo(ErrorReason.MODEL_UNAVAILABLE);
        assertThat(letter.getStage()).isEqualTo("model");
    }

    @Test
    void unexpectedFailureIsDeadLetteredAsUnknown() {
        LiveModel broken = new LiveModel() {
            @Override
            public ServingModel current() {
                throw new IllegalStateException("bug: model table corrupted");
            }

            @Override
            public void close() {
            }
        };
        DeadLetter letter = imageDeadLetter(broken, ColorModelPackage.png(8, 8, RED), Map.of());
        assertThat(letter.getReason()).isEqualTo(ErrorReason.UNKNOWN);
        assertThat(letter.getStage()).isEqualTo("process");
        assertThat(letter.getMessage()).contains("bug: model table corrupted");
        assertThat(letter.getExceptionClass()).isEqualTo("java.lang.IllegalStateException");
    }

    @Test
    void deadLetterKeepsPositionTimestampAndHeaders() {
        try (TopologyFixture f = fixture(colors)) {
            byte[] good = f.serialize(TopologyFixture.image("img-ok", ColorModelPackage.png(8, 8, RED), null));
            f.pipe(key("k-ok"), good, T0);
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
            headers.add("trace", null);
            headers.add("origin", new byte[] {1, 2, 3});
            byte[] bad = {(byte) 0xff, 0x00, 0x01};
            f.pipe(key("k-bad"), bad, T0.plusMillis(5), headers);
            f.pipe(key("k-ok2"), good, T0);

            assertThat(f.results()).hasSize(2);
            List<TestRecord<byte[], DeadLetter>> letters = f.deadLetters();
            assertThat(letters).hasSize(1);
            DeadLetter letter = letters.get(0).value();
            assertThat(letters.get(0).key()).isEqualTo(key("k-bad"));
            assertThat(letter.getOriginalTopic()).isEqualTo("images");
            assertThat(letter.getOriginalPartition()).isZero();
            assertThat(letter.getOriginalOffset()).isEqualTo(1L);
            assertThat(letter.getOriginalTimestamp()).isEqualTo(T0.plusMillis(5));
            assertThat(letter.getFailedAt()).isNotNull();
            assertThat(letter.getInstanceId()).isEqualTo("test-instance");
            assertThat(letter.getOriginalHeaders()).extracting(OriginalHeader::getKey)
                .containsExactly("trace", "trace", "origin");
            assertThat(bytes(letter.getOriginalHeaders().get(0).getValue())).isEqualTo(key("abc"));
            assertThat(letter.getOriginalHeaders().get(1).getValue()).isNull();
            assertThat(bytes(letter.getOriginalHeaders().get(2).getValue())).containsExactly(1, 2, 3);
        }
    }

    @Test
    void processingDeadLetterCarriesTheUnmodifiedInputBytes() {
        try (TopologyFixture f = fixture(colors)) {
            byte[] value = f.serialize(TopologyFixture.image("img-x", "GIF87a-but-not-really".getBytes(
                StandardCharsets.US_ASCII), "cat", "image/gif"));
            f.pipe(key("k-x"), value, T0);
            DeadLetter letter = single(f, key("k-x"), value);
            assertThat(letter.getReason()).isEqualTo(ErrorReason.CORRUPT_IMAGE);
        }
    }

    @Test
    void classifyReadsTheInputTopicDirectlyAndStatisticsRepartitionOnlyAfterIt() {
        AppConfig config = AppConfig.of(Map.of(AppConfig.SCHEMA_REGISTRY_URL, registry.url()));
        org.apache.kafka.streams.TopologyDescription description = describe(config);
        // The dead-letter handlers copy the source record's raw bytes: a repartition in front of the classify
        // step would make those the repartition topic's bytes instead of the producer's. The statistics branch
        // repartitions by model version after classification, in a sub-topology of its own.
        assertThat(description.subtopologies()).hasSize(2);
        org.apache.kafka.streams.TopologyDescription.Subtopology classify = description.subtopologies().stream()
            .filter(st -> st.nodes().stream().anyMatch(n -> n.name().equals(InferenceTopology.CLASSIFY)))
            .findFirst().orElseThrow();
        assertThat(classify.nodes()).extracting(org.apache.kafka.streams.TopologyDescription.Node::name)
            .contains(InferenceTopology.SOURCE, InferenceTopology.CLASSIFY, InferenceTopology.TO_RESULT,
                InferenceTopology.SINK, InferenceTopology.TO_OBSERVATION)
            .noneMatch(name -> name.contains("aggregate"));
        assertThat(classify.nodes()).filteredOn(n -> n instanceof org.apache.kafka.streams.TopologyDescription.Source)
            .extracting(Object::toString).singleElement().asString().contains("topics: [images]");
        assertThat(description.toString()).contains("topic: image-classifications").contains("topic: image-stats")
            .contains("feature-stats-by-model-repartition");
    }

    @Test
    void withoutStatisticsTheTopologyIsOneSubTopologyWithStableNames() {
        AppConfig config = AppConfig.of(Map.of(AppConfig.SCHEMA_REGISTRY_URL, registry.url(),
            AppConfig.STATS_ENABLED, "false"));
        org.apache.kafka.streams.TopologyDescription description = describe(config);
        assertThat(description.subtopologies()).hasSize(1);
        assertThat(description.subtopologies().iterator().next().nodes())
            .extracting(org.apache.kafka.streams.TopologyDescription.Node::name)
            .containsExactlyInAnyOrder(InferenceTopology.SOURCE, InferenceTopology.CLASSIFY,
                InferenceTopology.TO_RESULT, InferenceTopology.SINK);
        assertThat(description.toString()).contains("topics: [images]").contains("topic: image-classifications")
            .doesNotContain("image-stats");
    }

    private org.apache.kafka.streams.TopologyDescription describe(AppConfig config) {
        try (InferenceRunner runner = new InferenceRunner(1, java.time.Duration.ofSeconds(1))) {
            return InferenceTopology.topology(config, RecordClassifier.create(config, colors, runner),
                new dev.retina.streams.metrics.PipelineMetrics(
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "t")).describe();
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** Pipes raw {@code value} and returns its only dead letter, checking key and value bytes. */
    private DeadLetter deadLetterFor(LiveModel model, byte[] key, byte[] value) {
        try (TopologyFixture f = fixture(model)) {
            f.pipe(key, value, T0);
            return single(f, key, value);
        }
    }

    /** Pipes a well-formed ImageRecord holding {@code data} and returns its only dead letter. */
    private DeadLetter imageDeadLetter(LiveModel model, byte[] data, Map<String, String> extra) {
        try (TopologyFixture f = fixture(model, extra)) {
            byte[] value = f.serialize(TopologyFixture.image("img-bad", data, null));
            f.pipe(key("k-bad"), value, T0);
            return single(f, key("k-bad"), value);
        }
    }

    private static DeadLetter single(TopologyFixture f, byte[] key, byte[] value) {
        assertThat(f.results()).as("results").isEmpty();
        List<TestRecord<byte[], DeadLetter>> letters = f.deadLetters();
        assertThat(letters).as("dead letters").hasSize(1);
        TestRecord<byte[], DeadLetter> record = letters.get(0);
        DeadLetter letter = record.value();
        assertThat(record.key()).isEqualTo(key);
        if (key == null) {
            assertThat(letter.getOriginalKey()).isNull();
        } else {
            assertThat(bytes(letter.getOriginalKey())).isEqualTo(key);
        }
        assertThat(bytes(letter.getOriginalValue())).as("original value bytes").isEqualTo(value);
        assertThat(letter.getOriginalTopic()).isEqualTo("images");
        assertThat(letter.getOriginalOffset()).isZero();
        assertThat(letter.getOriginalTimestamp()).isEqualTo(T0);
        assertThat(letter.getInstanceId()).isEqualTo("test-instance");
        assertThat(letter.getMessage()).isNotBlank();
        assertThat(f.metrics.deadLetters(letter.getReason())).as("dead letters counted").isEqualTo(1.0);
        return letter;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
