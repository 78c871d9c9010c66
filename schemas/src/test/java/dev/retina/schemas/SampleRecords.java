package dev.retina.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.retina.schemas.avro.AccuracySummary;
import dev.retina.schemas.avro.ClassCount;
import dev.retina.schemas.avro.ClassRecall;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.ConfidenceSummary;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.DriftSummary;
import dev.retina.schemas.avro.EmbeddingSummary;
import dev.retina.schemas.avro.EntropySummary;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.GoldenImage;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.avro.InputSummary;
import dev.retina.schemas.avro.LatencySummary;
import dev.retina.schemas.avro.Lineage;
import dev.retina.schemas.avro.ModelRef;
import dev.retina.schemas.avro.ModelRelease;
import dev.retina.schemas.avro.OriginalHeader;
import dev.retina.schemas.avro.Prediction;
import dev.retina.schemas.avro.Timings;
import org.apache.avro.specific.SpecificRecord;

/**
 * One fixed, fully populated sample of every contract (every optional field set, so a fixture exercises all of the
 * schema). Values are constants: the released fixtures are generated from these and must not change silently.
 */
public final class SampleRecords {

    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05.678Z");

    private SampleRecords() {
    }

    /** Samples by record name (ImageRecord, ClassificationResult, FeatureStats, DeadLetter, ModelRelease). */
    public static Map<String, SpecificRecord> all() {
        Map<String, SpecificRecord> samples = new LinkedHashMap<>();
        samples.put("ImageRecord", imageRecord());
        samples.put("ClassificationResult", classificationResult());
        samples.put("FeatureStats", featureStats());
        samples.put("DeadLetter", deadLetter());
        samples.put("ModelRelease", modelRelease());
        return samples;
    }

    public static ImageRecord imageRecord() {
        return ImageRecord.newBuilder()
            .setImageId("img-0001")
            .setSource("camera-7")
            .setCapturedAt(T0)
            .setContentType("image/png")
            .setData(bytes(0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d))
            .setLabel("cat")
            .setMetadata(Map.of("file", "cat-01.png"))
            .build();
    }

    public static ClassificationResult classificationResult() {
        return ClassificationResult.newBuilder()
            .setImageId("img-0001")
            .setSource("camera-7")
            .setModel(new ModelRef("lenet", "3", "ab".repeat(32)))
            .setTopK(List.of(new Prediction("cat", 3, 0.75), new Prediction("dog", 5, 0.125)))
            .setTimings(new Timings(1.5, 7.25, 12.0))
            .setInstanceId("retina-0")
            .setLineage(new Lineage("images", 2, 1234L))
            .setClassifiedAt(T0.plusMillis(12))
            .setGroundTruthLabel("cat")
            .build();
    }

    public static FeatureStats featureStats() {
        return FeatureStats.newBuilder()
            .setWindowStart(T0)
            .setWindowEnd(T0.plusSeconds(60))
            .setModelName("lenet")
            .setModelVersion("3")
            .setCount(4)
            .setClassCounts(List.of(new ClassCount("cat", 3L), new ClassCount("dog", 1L)))
            .setConfidence(new ConfidenceSummary(0.8, 0.75, 0.95, 0.5, 1L))
            .setInput(new InputSummary(32.0, 28, 36, 30.0, 28, 32, 0.5, 0.0625, 0.25, 0.015625))
            .setEmbedding(new EmbeddingSummary(2, 4L, List.of(0.5, -0.25), List.of(1.0, 0.5), 1.25))
            .setDrift(new DriftSummary("first window of lenet 3", 0.02, 0.04, 0.125, 0.2, false, 0.375, 0.5))
            .setAccuracy(new AccuracySummary(2L, 1L, 0.5,
                List.of(new ClassRecall("cat", 1L, 1L, 1.0), new ClassRecall("dog", 1L, 0L, 0.0))))
            .setLatency(new LatencySummary(10.0, 40.0, 6.0, 20.0))
            .setEntropy(new EntropySummary(0.5, 0.0625, 0.125, 0.875))
            .setLateCount(3L)
            .setSource("camera-1")
            .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
            .setReason(ErrorReason.CORRUPT_IMAGE)
            .setMessage("expected a PNG IHDR chunk, found end of data at byte 12")
            .setStage("decode")
            .setOriginalTopic("images")
            .setOriginalPartition(1)
            .setOriginalOffset(42L)
            .setOriginalKey(bytes('k', '1'))
            .setOriginalValue(bytes(0, 0, 0, 0, 1, 2, 3))
            .setOriginalTimestamp(T0)
            .setOriginalHeaders(List.of(new OriginalHeader("trace", bytes('x')), new OriginalHeader("empty", null)))
            .setFailedAt(T0.plusMillis(5))
            .setInstanceId("retina-0")
            .setExceptionClass("dev.retina.engine.image.ImageDecodeException")
            .build();
    }

    public static ModelRelease modelRelease() {
        return ModelRelease.newBuilder()
            .setName("lenet")
            .setVersion("3")
            .setSha256("cd".repeat(32))
            .setOnnx(bytes(0x08, 0x07, 0x12, 0x00))
            .setUri("file:models/lenet/3/model.onnx")
            .setLabels(List.of("cat", "dog"))
            .setPreprocessing("{\"resize\":32,\"crop\":28,\"channels\":\"gray\"}")
            .setReleasedAt(T0)
            .setGoldenSet(List.of(new GoldenImage("golden-1", bytes('G', 'I', 'F', '8'), "cat")))
            .setNotes("retrained with more cats")
            .build();
    }

    private static ByteBuffer bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return ByteBuffer.wrap(b);
    }
}
