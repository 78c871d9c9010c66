package dev.retina.it;

import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.AccuracySummary;
import dev.retina.schemas.avro.ClassCount;
import dev.retina.schemas.avro.ClassRecall;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.ConfidenceSummary;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.DriftSummary;
import dev.retina.schemas.avro.EmbeddingSummary;
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
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fully populated instances of the five contract records, every optional field set (and, where it
 * matters, a second variant with it null), from a seeded generator so every run sends the same bytes.
 */
final class SampleRecords {

    static {
        // Copying builders (newBuilder(record)) load nested generated classes by name, which Avro
        // 1.12.2 refuses until the package is trusted; the serde would do this too, but only once loaded.
        AvroTrust.ensureTrusted();
    }

    // Avro timestamp-millis keeps milliseconds only; a finer Instant would not survive the round trip.
    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_000L);

    private SampleRecords() {
    }

    static ImageRecord imageRecord(Random rnd, String id) {
        byte[] data = new byte[256 + rnd.nextInt(256)];
        rnd.nextBytes(data);
        // A PNG signature up front: the bytes are opaque to the serde, but they look like what producers send.
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, data, 0, 8);
        return ImageRecord.newBuilder()
                .setImageId(id)
                .setSource("camera-" + rnd.nextInt(10))
                .setCapturedAt(T0.plusMillis(rnd.nextInt(1_000_000)))
                .setContentType("image/png")
                .setData(ByteBuffer.wrap(data))
                .setLabel(rnd.nextBoolean() ? "cat" : null)
                .setMetadata(Map.of("file", id + ".png", "site", "lab-" + rnd.nextInt(3)))
                .build();
    }

    static ClassificationResult classificationResult(Random rnd, String id) {
        List<Prediction> top = new ArrayList<>();
        double remaining = 1.0;
        for (int i = 0; i < 3; i++) {
            double score = remaining * (0.5 + rnd.nextDouble() / 2);
            remaining -= score;
            top.add(Prediction.newBuilder().setLabel("class-" + i).setIndex(rnd.nextInt(1000)).setScore(score).build());
        }
        return ClassificationResult.newBuilder()
                .setImageId(id)
                .setSource("camera-1")
                .setModel(ModelRef.newBuilder().setName("mobilenetv2").setVersion("3")
                        .setSha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08").build())
                .setTopK(top)
                .setTimings(Timings.newBuilder().setDecodeMillis(rnd.nextDouble() * 5)
                        .setInferenceMillis(rnd.nextDouble() * 40).setEndToEndMillis(50 + rnd.nextDouble() * 50)
                        .build())
                .setInstanceId("instance-a")
                .setLineage(Lineage.newBuilder().setTopic("images").setPartition(rnd.nextInt(3))
                        .setOffset(rnd.nextInt(1_000_000)).build())
                .setClassifiedAt(T0.plusMillis(rnd.nextInt(1_000_000)))
                .setGroundTruthLabel("class-0")
                .build();
    }

    static FeatureStats featureStats(Random rnd) {
        int dims = 8;
        List<Double> mean = new ArrayList<>();
        List<Double> variance = new ArrayList<>();
        for (int i = 0; i < dims; i++) {
            mean.add(rnd.nextGaussian());
            variance.add(rnd.nextDouble());
        }
        return FeatureStats.newBuilder()
                .setWindowStart(T0)
                .setWindowEnd(T0.plusSeconds(60))
                .setModelName("mobilenetv2")
                .setModelVersion("3")
                .setCount(120)
                .setClassCounts(List.of(
                        ClassCount.newBuilder().setLabel("cat").setCount(70).build(),
                        ClassCount.newBuilder().setLabel("dog").setCount(50).build()))
                .setConfidence(ConfidenceSummary.newBuilder().setMean(0.81).setP50(0.84).setP95(0.99)
                        .setLowConfidenceThreshold(0.5).setLowConfidenceCount(7).build())
                .setInput(InputSummary.newBuilder().setWidthMean(640.5).setWidthMin(320).setWidthMax(1024)
                        .setHeightMean(480.25).setHeightMin(240).setHeightMax(768)
                        .setBrightnessMean(0.47).setBrightnessVariance(0.031).build())
                .setEmbedding(EmbeddingSummary.newBuilder().setDimension(dims).setCount(120).setMean(mean)
                        .setVariance(variance).setMeanL2Norm(3.2).build())
                .setDrift(DriftSummary.newBuilder().setReference("window-0").setPsiClass(0.04)
                        .setPsiConfidence(0.02).setEmbeddingMeanShift(0.11).setPsiThreshold(0.2).setDrift(false)
                        .build())
                .setAccuracy(AccuracySummary.newBuilder().setLabelledCount(40).setCorrect(36).setAccuracy(0.9)
                        .setPerClassRecall(List.of(
                                ClassRecall.newBuilder().setLabel("cat").setLabelled(20).setCorrect(19)
                                        .setRecall(0.95).build(),
                                ClassRecall.newBuilder().setLabel("dog").setLabelled(20).setCorrect(17)
                                        .setRecall(0.85).build()))
                        .build())
                .setLatency(LatencySummary.newBuilder().setP50Millis(12.5).setP99Millis(48.0)
                        .setInferenceP50Millis(9.5).setInferenceP99Millis(40.25).build())
                .build();
    }

    /** A window with the optional summaries absent (no embeddings, no reference, no labels). */
    static FeatureStats featureStatsWithoutOptionals() {
        FeatureStats full = featureStats(new Random(7));
        return FeatureStats.newBuilder(full).setEmbedding(null).setDrift(null).setAccuracy(null).build();
    }

    static DeadLetter deadLetter(Random rnd) {
        byte[] original = new byte[64];
        rnd.nextBytes(original);
        return DeadLetter.newBuilder()
                .setReason(ErrorReason.CORRUPT_IMAGE)
                .setMessage("expected a PNG IHDR chunk at byte 8, found 0x00000000")
                .setStage("decode")
                .setOriginalTopic("images")
                .setOriginalPartition(2)
                .setOriginalOffset(41)
                .setOriginalKey(ByteBuffer.wrap("img-41".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .setOriginalValue(ByteBuffer.wrap(original))
                .setOriginalTimestamp(T0)
                .setOriginalHeaders(List.of(
                        OriginalHeader.newBuilder().setKey("trace").setValue(ByteBuffer.wrap(new byte[] {1, 2}))
                                .build(),
                        OriginalHeader.newBuilder().setKey("trace").setValue(null).build()))
                .setFailedAt(T0.plusMillis(250))
                .setInstanceId("instance-b")
                .setExceptionClass("dev.retina.engine.image.ImageDecodeException")
                .build();
    }

    static ModelRelease modelRelease(Random rnd) {
        byte[] onnx = new byte[2048];
        rnd.nextBytes(onnx);
        byte[] golden = new byte[128];
        rnd.nextBytes(golden);
        return ModelRelease.newBuilder()
                .setName("lenet")
                .setVersion("7")
                .setSha256("2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")
                .setOnnx(ByteBuffer.wrap(onnx))
                .setUri(null)
                .setLabels(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
                .setPreprocessing("{\"resize\":32,\"crop\":28,\"channels\":\"gray\",\"scale\":0.00392156862}")
                .setReleasedAt(T0)
                .setGoldenSet(List.of(GoldenImage.newBuilder().setImageId("golden-1")
                        .setData(ByteBuffer.wrap(golden)).setExpectedLabel("3").build()))
                .setNotes("retrained on more data")
                .build();
    }

    /** A release published by reference rather than inline, without golden set or notes. */
    static ModelRelease modelReleaseByUri() {
        return ModelRelease.newBuilder(modelRelease(new Random(11)))
                .setOnnx(null)
                .setUri("https://models.example.org/lenet/8/model.onnx")
                .setVersion("8")
                .setGoldenSet(null)
                .setNotes(null)
                .build();
    }
}
