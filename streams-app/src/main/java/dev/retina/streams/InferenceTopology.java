package dev.retina.streams;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.streams.metrics.PipelineMetrics;
import dev.retina.streams.stats.DriftReference;
import dev.retina.streams.stats.DriftSettings;
import dev.retina.streams.stats.FeatureStatsSettings;
import dev.retina.streams.stats.FeatureStatsTopology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The classification topology, a pure function of the configuration and the classifier:
 *
 * <pre>
 * input.topic (key: bytes as produced, value: Confluent-framed Avro ImageRecord)
 *   → classify (decode → preprocess → infer → top-k; failures go to the processing exception handler)
 *     ─ the returned stream of ClassifiedImage, for later stages to branch off
 *   → to-result → output.topic (same key bytes, value: ClassificationResult)
 *   → to-observation → {@link FeatureStatsTopology} (when stats.enabled): repartitioned by model version (and
 *     source), tumbling windows of stats.window.ms on the input record timestamps → stats.topic (FeatureStats)
 * </pre>
 *
 * <p>Keys are passed through as raw bytes, so whatever the producer chose (image id, source id, any format) comes
 * out unchanged and lands in the same partition number. Records that cannot be deserialized or classified become
 * DeadLetters on {@code dlq.topic} through the exception handlers that {@link StreamsAppRunner#streamsProperties}
 * configures; the topology itself has no error branch (see docs/DECISIONS.md, "Dead letters").
 */
public final class InferenceTopology {

    /** Processor names, stable so that metrics and the topology description stay readable. */
    public static final String SOURCE = "images-source";
    public static final String CLASSIFY = "classify";
    public static final String TO_RESULT = "to-result";
    public static final String SINK = "classifications-sink";
    public static final String TO_OBSERVATION = "to-observation";
    /** Prefix of the statistics branch's processors, stores and internal topics. */
    public static final String STATS_PREFIX = "feature-stats";

    private InferenceTopology() {
    }

    /** Adds the classification pipeline to {@code builder}, with metrics kept in a registry of their own. */
    public static KStream<byte[], ClassifiedImage> build(StreamsBuilder builder, AppConfig config,
                                                         RecordClassifier classifier, Clock clock) {
        return build(builder, config, classifier, clock, new PipelineMetrics(new SimpleMeterRegistry(), config.instanceId()));
    }

    /**
     * Adds the classification pipeline to {@code builder}, counting results and stage times in {@code metrics}.
     *
     * @return the stream of classified images (same keys), for later stages such as window statistics to branch off
     */
    public static KStream<byte[], ClassifiedImage> build(StreamsBuilder builder, AppConfig config,
                                                         RecordClassifier classifier, Clock clock,
                                                         PipelineMetrics metrics) {
        return build(builder, config, classifier, clock, metrics, PipelineEvents.NONE);
    }

    /**
     * As {@link #build(StreamsBuilder, AppConfig, RecordClassifier, Clock, PipelineMetrics)}, also telling
     * {@code events} about every classified image (on the stream thread, after the result is forwarded).
     */
    public static KStream<byte[], ClassifiedImage> build(StreamsBuilder builder, AppConfig config,
                                                         RecordClassifier classifier, Clock clock,
                                                         PipelineMetrics metrics, PipelineEvents events) {
        Objects.requireNonNull(classifier, "classifier");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
        AvroSerde<ImageRecord> images = new AvroSerde<>(ImageRecord.class);
        images.configure(config.registrySettings(), false);
        AvroSerde<ClassificationResult> results = new AvroSerde<>(ClassificationResult.class);
        results.configure(config.registrySettings(), false);
        String instanceId = config.instanceId();
        String input = config.inputTopic();
        KStream<byte[], ClassifiedImage> classified = builder
            .stream(input, Consumed.with(Serdes.ByteArray(), images).withName(SOURCE))
            .processValues(() -> new ClassifyProcessor(classifier, instanceId, input, clock, metrics, events),
                Named.as(CLASSIFY));
        classified
            .mapValues(ClassifiedImage::result, Named.as(TO_RESULT))
            .to(config.outputTopic(), Produced.with(Serdes.ByteArray(), results).withName(SINK));
        if (config.statsEnabled()) {
            AvroSerde<FeatureStats> stats = new AvroSerde<>(FeatureStats.class);
            stats.configure(config.registrySettings(), false);
            FeatureStatsTopology.addTo(builder,
                classified.processValues(ObservationMapper::new, Named.as(TO_OBSERVATION)),
                statsSettings(config), config.statsTopic(), stats);
        }
        return classified;
    }

    /**
     * The statistics settings of {@code config}, with its reference files read.
     *
     * @throws AppConfigException if a reference file cannot be read or two name the same model version
     */
    public static FeatureStatsSettings statsSettings(AppConfig config) {
        List<DriftReference> references = new ArrayList<>();
        for (Path file : config.statsReferenceFiles()) {
            try {
                references.add(DriftReference.read(file));
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new AppConfigException(AppConfig.STATS_REFERENCE_FILES, AppConfig.STATS_REFERENCE_FILES
                    + ": cannot use the drift reference file " + file + ": " + e.getMessage(), e);
            }
        }
        Map<String, DriftReference> byModel;
        try {
            byModel = FeatureStatsSettings.byModel(references);
        } catch (IllegalArgumentException e) {
            throw new AppConfigException(AppConfig.STATS_REFERENCE_FILES, AppConfig.STATS_REFERENCE_FILES + ": "
                + e.getMessage(), e);
        }
        // Every other value was checked by the settings table, so the constructors' own checks cannot fail here.
        return new FeatureStatsSettings(config.statsWindow(), config.statsGrace(),
            config.statsLowConfidenceThreshold(),
            new DriftSettings(config.statsDriftPsiThreshold(), DriftSettings.DEFAULT_EPSILON,
                config.statsDriftEmbeddingThreshold()),
            config.statsReferenceMinCount(), byModel, STATS_PREFIX, config.statsBySource());
    }

    /** The topology alone, with the system clock. */
    public static Topology topology(AppConfig config, RecordClassifier classifier, PipelineMetrics metrics) {
        return topology(config, classifier, metrics, PipelineEvents.NONE);
    }

    /** The topology alone, with the system clock, telling {@code events} about every classified image. */
    public static Topology topology(AppConfig config, RecordClassifier classifier, PipelineMetrics metrics,
                                    PipelineEvents events) {
        StreamsBuilder builder = new StreamsBuilder();
        build(builder, config, classifier, Clock.systemUTC(), metrics, events);
        return builder.build();
    }
}
