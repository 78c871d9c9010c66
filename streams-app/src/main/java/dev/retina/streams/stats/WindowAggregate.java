package dev.retina.streams.stats;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.retina.schemas.avro.AccuracySummary;
import dev.retina.schemas.avro.ClassCount;
import dev.retina.schemas.avro.ClassRecall;
import dev.retina.schemas.avro.ConfidenceSummary;
import dev.retina.schemas.avro.DriftSummary;
import dev.retina.schemas.avro.EmbeddingSummary;
import dev.retina.schemas.avro.EntropySummary;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.InputSummary;
import dev.retina.schemas.avro.LatencySummary;

/**
 * The whole state of one window of one model version: the statistics of every {@link Observation} added, all
 * mergeable, turned into a {@link FeatureStats} record when the window closes. Serialized by
 * {@link WindowAggregateSerde}. Mutable and not thread-safe (it lives in one state store entry).
 *
 * <p>The model name and version are taken from the first observation; every later observation and every merged
 * aggregate must name the same model version, and merged aggregates must use the same low-confidence threshold.
 */
public final class WindowAggregate {

    /** Default low-confidence threshold: a top-1 score below 0.5 means the model preferred no class. */
    public static final double DEFAULT_LOW_CONFIDENCE_THRESHOLD = 0.5;

    private final double lowConfidenceThreshold;
    private String modelName;
    private String modelVersion;
    private long count;
    private long lowConfidenceCount;
    private long minEventTime = Long.MAX_VALUE;
    private long maxEventTime = Long.MIN_VALUE;
    private final ClassCounts classes;
    private final RunningMoments confidence;
    private final FixedHistogram confidenceHistogram;
    private final RunningMoments entropy;
    private final RunningMoments width;
    private final RunningMoments height;
    private final RunningMoments brightness;
    private final RunningMoments contrast;
    private final FixedHistogram endToEndMillis;
    private final FixedHistogram inferenceMillis;
    private final LabelAccuracy accuracy;
    private EmbeddingMoments embedding;

    /** An empty aggregate with the default low-confidence threshold. */
    public WindowAggregate() {
        this(DEFAULT_LOW_CONFIDENCE_THRESHOLD);
    }

    /** An empty aggregate; top-1 scores strictly below {@code lowConfidenceThreshold} (in [0, 1]) count as low. */
    public WindowAggregate(double lowConfidenceThreshold) {
        this(lowConfidenceThreshold, new ClassCounts(), new RunningMoments(),
            new FixedHistogram(HistogramLayout.CONFIDENCE), new RunningMoments(), new RunningMoments(),
            new RunningMoments(), new RunningMoments(), new RunningMoments(),
            new FixedHistogram(HistogramLayout.LATENCY_MILLIS), new FixedHistogram(HistogramLayout.LATENCY_MILLIS),
            new LabelAccuracy());
    }

    private WindowAggregate(double lowConfidenceThreshold, ClassCounts classes, RunningMoments confidence,
                            FixedHistogram confidenceHistogram, RunningMoments entropy, RunningMoments width,
                            RunningMoments height, RunningMoments brightness, RunningMoments contrast,
                            FixedHistogram endToEndMillis, FixedHistogram inferenceMillis, LabelAccuracy accuracy) {
        if (!(lowConfidenceThreshold >= 0 && lowConfidenceThreshold <= 1)) {
            throw new IllegalArgumentException("low-confidence threshold must be in [0, 1], found "
                + lowConfidenceThreshold);
        }
        this.lowConfidenceThreshold = lowConfidenceThreshold;
        this.classes = classes;
        this.confidence = confidence;
        this.confidenceHistogram = confidenceHistogram;
        this.entropy = entropy;
        this.width = width;
        this.height = height;
        this.brightness = brightness;
        this.contrast = contrast;
        this.endToEndMillis = endToEndMillis;
        this.inferenceMillis = inferenceMillis;
        this.accuracy = accuracy;
    }

    /**
     * Adds one observation and returns this aggregate (the shape of a Kafka Streams aggregator).
     *
     * @throws IllegalArgumentException if it names another model version than earlier ones, or its embedding has
     *                                  another dimension
     */
    public WindowAggregate add(Observation o) {
        checkModel(o.modelName(), o.modelVersion());
        float[] v = o.embeddingView();
        if (v != null) {
            if (embedding == null) {
                embedding = new EmbeddingMoments(v.length);
            }
            embedding.add(v);
        }
        modelName = o.modelName();
        modelVersion = o.modelVersion();
        count++;
        if (o.top1Score() < lowConfidenceThreshold) {
            lowConfidenceCount++;
        }
        minEventTime = Math.min(minEventTime, o.eventTimeMillis());
        maxEventTime = Math.max(maxEventTime, o.eventTimeMillis());
        classes.add(o.top1Label());
        confidence.add(o.top1Score());
        confidenceHistogram.add(o.top1Score());
        entropy.add(o.entropy());
        width.add(o.width());
        height.add(o.height());
        brightness.add(o.brightness());
        contrast.add(o.contrast());
        endToEndMillis.add(o.endToEndMillis());
        inferenceMillis.add(o.inferenceMillis());
        if (o.labelled()) {
            accuracy.add(o.groundTruthLabel(), o.correct());
        }
        return this;
    }

    /** Adds everything {@code other} has seen and returns this aggregate; {@code other} is unchanged. */
    public WindowAggregate merge(WindowAggregate other) {
        if (Double.compare(other.lowConfidenceThreshold, lowConfidenceThreshold) != 0) {
            throw new IllegalArgumentException("cannot merge aggregates with low-confidence thresholds "
                + other.lowConfidenceThreshold + " and " + lowConfidenceThreshold);
        }
        if (other.count == 0) {
            return this;
        }
        checkModel(other.modelName, other.modelVersion);
        if (embedding != null && other.embedding != null && embedding.dimension() != other.embedding.dimension()) {
            throw new IllegalArgumentException("cannot merge embeddings of dimension " + other.embedding.dimension()
                + " into dimension " + embedding.dimension());
        }
        modelName = other.modelName;
        modelVersion = other.modelVersion;
        count += other.count;
        lowConfidenceCount += other.lowConfidenceCount;
        minEventTime = Math.min(minEventTime, other.minEventTime);
        maxEventTime = Math.max(maxEventTime, other.maxEventTime);
        classes.merge(other.classes);
        confidence.merge(other.confidence);
        confidenceHistogram.merge(other.confidenceHistogram);
        entropy.merge(other.entropy);
        width.merge(other.width);
        height.merge(other.height);
        brightness.merge(other.brightness);
        contrast.merge(other.contrast);
        endToEndMillis.merge(other.endToEndMillis);
        inferenceMillis.merge(other.inferenceMillis);
        accuracy.merge(other.accuracy);
        if (other.embedding != null) {
            if (embedding == null) {
                embedding = new EmbeddingMoments(other.embedding.dimension());
            }
            embedding.merge(other.embedding);
        }
        return this;
    }

    private void checkModel(String name, String version) {
        if (count > 0 && !(modelName.equals(name) && modelVersion.equals(version))) {
            throw new IllegalArgumentException("this window aggregates model " + modelName + ":" + modelVersion
                + ", found an observation of " + name + ":" + version);
        }
    }

    /** The FeatureStats record of this window with the default PSI threshold and smoothing. */
    public FeatureStats toFeatureStats(Instant windowStart, Instant windowEnd, DriftReference reference) {
        return toFeatureStats(windowStart, windowEnd, reference, DriftSettings.DEFAULTS);
    }

    /**
     * The FeatureStats record of this window.
     *
     * @param windowStart inclusive start of the window
     * @param windowEnd   exclusive end of the window
     * @param reference   the drift reference, or null when none exists yet (then {@code drift} is null)
     * @param settings    PSI threshold and smoothing
     * @throws IllegalStateException if the aggregate is empty (an empty window has no model version)
     */
    public FeatureStats toFeatureStats(Instant windowStart, Instant windowEnd, DriftReference reference,
                                       DriftSettings settings) {
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(windowEnd, "windowEnd");
        Objects.requireNonNull(settings, "settings");
        if (count == 0) {
            throw new IllegalStateException("an empty window has no statistics (no observation named its model)");
        }
        if (!windowEnd.isAfter(windowStart)) {
            throw new IllegalArgumentException("window end must be after its start, found [" + windowStart + ", "
                + windowEnd + ")");
        }
        List<ClassCount> classCounts = new ArrayList<>();
        for (Map.Entry<String, Long> e : classes.ranked()) {
            classCounts.add(new ClassCount(e.getKey(), e.getValue()));
        }
        FeatureStats.Builder b = FeatureStats.newBuilder()
            .setWindowStart(windowStart)
            .setWindowEnd(windowEnd)
            .setModelName(modelName)
            .setModelVersion(modelVersion)
            .setCount(count)
            .setClassCounts(classCounts)
            .setConfidence(ConfidenceSummary.newBuilder()
                .setMean(confidence.mean())
                .setP50(confidenceHistogram.quantile(0.5))
                .setP95(confidenceHistogram.quantile(0.95))
                .setLowConfidenceThreshold(lowConfidenceThreshold)
                .setLowConfidenceCount(lowConfidenceCount)
                .build())
            .setInput(InputSummary.newBuilder()
                .setWidthMean(width.mean())
                .setWidthMin((int) width.min())
                .setWidthMax((int) width.max())
                .setHeightMean(height.mean())
                .setHeightMin((int) height.min())
                .setHeightMax((int) height.max())
                .setBrightnessMean(brightness.mean())
                .setBrightnessVariance(brightness.variance())
                .setContrastMean(contrast.mean())
                .setContrastVariance(contrast.variance())
                .build())
            .setEntropy(EntropySummary.newBuilder()
                .setMean(entropy.mean())
                .setVariance(entropy.variance())
                .setMin(entropy.min())
                .setMax(entropy.max())
                .build())
            .setLatency(LatencySummary.newBuilder()
                .setP50Millis(endToEndMillis.quantile(0.5))
                .setP99Millis(endToEndMillis.quantile(0.99))
                .setInferenceP50Millis(inferenceMillis.quantile(0.5))
                .setInferenceP99Millis(inferenceMillis.quantile(0.99))
                .build());
        if (embedding != null && embedding.count() > 0) {
            b.setEmbedding(EmbeddingSummary.newBuilder()
                .setDimension(embedding.dimension())
                .setCount(embedding.count())
                .setMean(boxed(embedding.mean()))
                .setVariance(boxed(embedding.variance()))
                .setMeanL2Norm(embedding.meanL2Norm())
                .build());
        }
        if (reference != null) {
            DriftMeasure d = Drift.compare(this, reference, settings);
            b.setDrift(DriftSummary.newBuilder()
                .setReference(d.reference())
                .setPsiClass(d.psiClass())
                .setPsiConfidence(d.psiConfidence())
                .setEmbeddingMeanShift(d.embeddingMeanDistance())
                .setPsiThreshold(d.psiThreshold())
                .setDrift(d.drift())
                .setEmbeddingStandardisedShift(d.embeddingStandardisedShift())
                .setEmbeddingShiftThreshold(d.embeddingShiftThreshold())
                .build());
        }
        if (accuracy.labelled() > 0) {
            List<ClassRecall> recalls = new ArrayList<>();
            accuracy.byLabel().forEach((label, t) ->
                recalls.add(new ClassRecall(label, t.labelled(), t.correct(), t.recall())));
            b.setAccuracy(AccuracySummary.newBuilder()
                .setLabelledCount(accuracy.labelled())
                .setCorrect(accuracy.correct())
                .setAccuracy(accuracy.accuracy())
                .setPerClassRecall(recalls)
                .build());
        }
        return b.build();
    }

    private static List<Double> boxed(double[] v) {
        List<Double> list = new ArrayList<>(v.length);
        for (double x : v) {
            list.add(x);
        }
        return list;
    }

    public double lowConfidenceThreshold() {
        return lowConfidenceThreshold;
    }

    /** Model name of the observations, null while empty. */
    public String modelName() {
        return modelName;
    }

    /** Model version of the observations, null while empty. */
    public String modelVersion() {
        return modelVersion;
    }

    public long count() {
        return count;
    }

    /** Observations whose top-1 score was below the threshold. */
    public long lowConfidenceCount() {
        return lowConfidenceCount;
    }

    /** Earliest event time seen, {@code Long.MAX_VALUE} while empty. */
    public long minEventTime() {
        return minEventTime;
    }

    /** Latest event time seen, {@code Long.MIN_VALUE} while empty. */
    public long maxEventTime() {
        return maxEventTime;
    }

    /** Top-1 label counts (live view; do not modify). */
    public ClassCounts classCounts() {
        return classes;
    }

    /** Top-1 score moments (live view). */
    public RunningMoments confidence() {
        return confidence;
    }

    /** Top-1 score histogram (live view). */
    public FixedHistogram confidenceHistogram() {
        return confidenceHistogram;
    }

    /** Entropy moments, in nats (live view; FeatureStats v2 {@code entropy}). */
    public RunningMoments entropy() {
        return entropy;
    }

    public RunningMoments width() {
        return width;
    }

    public RunningMoments height() {
        return height;
    }

    public RunningMoments brightness() {
        return brightness;
    }

    /** Luma contrast moments (live view; FeatureStats v2 {@code input.contrastMean/contrastVariance}). */
    public RunningMoments contrast() {
        return contrast;
    }

    public FixedHistogram endToEndMillis() {
        return endToEndMillis;
    }

    public FixedHistogram inferenceMillis() {
        return inferenceMillis;
    }

    public LabelAccuracy accuracy() {
        return accuracy;
    }

    /** Embedding moments, null when no observation carried an embedding (live view). */
    public EmbeddingMoments embedding() {
        return embedding;
    }

    /**
     * Body layout after the serde's version byte (format 1): double threshold; var-long count; when count > 0:
     * strings model name and version, var-long low-confidence count, 8-byte min and max event time (epoch millis);
     * then class counts,
     * confidence moments, confidence histogram, entropy, width, height, brightness and contrast moments, end-to-end
     * and inference histograms, label accuracy, and a byte 0/1 followed by the embedding moments when 1.
     */
    void writeTo(StatsWriter out) {
        out.writeDouble(lowConfidenceThreshold);
        out.writeVarLong(count);
        if (count == 0) {
            return;
        }
        out.writeString(modelName);
        out.writeString(modelVersion);
        out.writeVarLong(lowConfidenceCount);
        out.writeLong(minEventTime);
        out.writeLong(maxEventTime);
        classes.writeTo(out);
        confidence.writeTo(out);
        confidenceHistogram.writeTo(out);
        entropy.writeTo(out);
        width.writeTo(out);
        height.writeTo(out);
        brightness.writeTo(out);
        contrast.writeTo(out);
        endToEndMillis.writeTo(out);
        inferenceMillis.writeTo(out);
        accuracy.writeTo(out);
        if (embedding == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            embedding.writeTo(out);
        }
    }

    static WindowAggregate readFrom(StatsReader in) {
        double threshold = in.readDouble("low-confidence threshold");
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new StatsFormatException("expected a low-confidence threshold in [0, 1], found " + threshold);
        }
        long count = in.readVarLong("window count");
        if (count == 0) {
            return new WindowAggregate(threshold);
        }
        String name = in.readString("model name");
        String version = in.readString("model version");
        long low = in.readVarLong("low-confidence count");
        long minTime = in.readLong("min event time");
        long maxTime = in.readLong("max event time");
        WindowAggregate w = new WindowAggregate(threshold, ClassCounts.readFrom(in, "class"),
            RunningMoments.readFrom(in, "confidence"), FixedHistogram.readFrom(in, "confidence histogram"),
            RunningMoments.readFrom(in, "entropy"), RunningMoments.readFrom(in, "width"),
            RunningMoments.readFrom(in, "height"), RunningMoments.readFrom(in, "brightness"),
            RunningMoments.readFrom(in, "contrast"), FixedHistogram.readFrom(in, "end-to-end latency"),
            FixedHistogram.readFrom(in, "inference latency"), LabelAccuracy.readFrom(in));
        int hasEmbedding = in.readByte();
        if (hasEmbedding > 1) {
            throw new StatsFormatException("expected an embedding marker 0 or 1, found " + hasEmbedding);
        }
        if (hasEmbedding == 1) {
            w.embedding = EmbeddingMoments.readFrom(in);
        }
        if (low > count || w.classes.total() != count || w.confidence.count() != count
                || w.confidenceHistogram.count() != count || w.accuracy.labelled() > count) {
            throw new StatsFormatException("inconsistent window state: count " + count + ", low-confidence " + low
                + ", class total " + w.classes.total() + ", confidence count " + w.confidence.count()
                + ", labelled " + w.accuracy.labelled());
        }
        w.modelName = name;
        w.modelVersion = version;
        w.count = count;
        w.lowConfidenceCount = low;
        w.minEventTime = minTime;
        w.maxEventTime = maxTime;
        return w;
    }

    @Override
    public String toString() {
        return "WindowAggregate[" + (count == 0 ? "empty" : modelName + ":" + modelVersion) + " n=" + count
            + " classes=" + classes + " confidence=" + confidence + "]";
    }
}
