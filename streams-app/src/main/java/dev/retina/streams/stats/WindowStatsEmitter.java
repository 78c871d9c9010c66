package dev.retina.streams.stats;

import java.time.Instant;

import dev.retina.schemas.avro.FeatureStats;

import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each closed window into a FeatureStats record keyed {@code <stats key>@<window start, ISO-8601 UTC>}, with
 * drift against the model version's reference, the image source when windows are kept by source, and the number of
 * late observations of the same stats key counted by {@link LateObservationGate} since the previous window of that
 * key was emitted (the count is then reset, in the same task and transaction, so each late image is reported in
 * exactly one record).
 *
 * <p>Which reference: a file reference for the model key when one was configured; otherwise the first full window
 * of the version. The first window this application closes for a model key is taken to be partial (the version, or
 * the application, started somewhere inside it) and only marks the version as seen; the next closed window with at
 * least {@code minReferenceCount} observations becomes the reference and is kept in a changelogged store, so a
 * restarted or failed-over instance keeps comparing with the same one. Windows before that have no drift summary.
 */
final class WindowStatsEmitter implements Processor<Windowed<String>, WindowAggregate, String, FeatureStats> {

    private static final Logger LOG = LoggerFactory.getLogger(WindowStatsEmitter.class);

    private final FeatureStatsSettings settings;
    private ProcessorContext<String, FeatureStats> context;
    private KeyValueStore<String, String> references;
    private KeyValueStore<String, Long> firstWindows;
    private KeyValueStore<String, Long> late;

    WindowStatsEmitter(FeatureStatsSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, FeatureStats> context) {
        this.context = context;
        this.references = context.getStateStore(settings.referenceStoreName());
        this.firstWindows = context.getStateStore(settings.firstWindowStoreName());
        this.late = context.getStateStore(settings.lateStoreName());
    }

    @Override
    public void process(Record<Windowed<String>, WindowAggregate> record) {
        WindowAggregate window = record.value();
        if (window == null || window.count() == 0) {
            return; // a suppressed window is never empty; nothing to report if one were
        }
        String statsKey = record.key().key();
        String modelKey = FeatureStatsTopology.modelKey(window.modelName(), window.modelVersion());
        Instant start = record.key().window().startTime();
        Instant end = record.key().window().endTime();
        DriftReference reference = referenceFor(statsKey, modelKey, start, end, window);
        FeatureStats.Builder stats = FeatureStats.newBuilder(
            window.toFeatureStats(start, end, comparable(reference, window, statsKey), settings.drift()));
        if (settings.bySource() && statsKey.length() > modelKey.length()) {
            stats.setSource(statsKey.substring(modelKey.length() + FeatureStatsTopology.SOURCE_SEPARATOR.length()));
        }
        Long lateSince = late.get(statsKey);
        if (lateSince != null) {
            stats.setLateCount(lateSince);
            late.delete(statsKey);
        }
        if (stats.getDrift() != null && stats.getDrift().getDrift()) {
            LOG.warn("drift in window [{}, {}) of {}: psiClass {} psiConfidence {} (threshold {}), embedding shift {} "
                    + "(threshold {}), reference {}", start, end, statsKey, stats.getDrift().getPsiClass(),
                stats.getDrift().getPsiConfidence(), stats.getDrift().getPsiThreshold(),
                stats.getDrift().getEmbeddingStandardisedShift(), stats.getDrift().getEmbeddingShiftThreshold(),
                stats.getDrift().getReference());
        }
        context.forward(record.withKey(statsKey + "@" + start).withValue(stats.build()));
    }

    /**
     * The reference, without its embedding summary when that has another dimension than the window's embeddings (a
     * reference file written for another model, or a model whose embedding changed): the class and confidence PSI
     * still apply, the description says why the embedding shift is missing, and the mismatch is logged.
     */
    private static DriftReference comparable(DriftReference reference, WindowAggregate window, String statsKey) {
        if (reference == null || !reference.hasEmbedding() || window.embedding() == null
                || window.embedding().count() == 0
                || window.embedding().dimension() == reference.embeddingMean().length) {
            return reference;
        }
        String why = "embedding ignored: the reference has dimension " + reference.embeddingMean().length
            + ", the window " + window.embedding().dimension();
        LOG.error("drift reference '{}' of {} does not fit the model's embeddings ({}); comparing classes and "
            + "confidence only", reference.description(), statsKey, why);
        return new DriftReference(reference.description() + " (" + why + ")", reference.modelName(),
            reference.modelVersion(), reference.count(), reference.classProportions(), reference.confidenceBins(),
            null, null);
    }

    private DriftReference referenceFor(String statsKey, String modelKey, Instant start, Instant end,
                                        WindowAggregate window) {
        DriftReference fromFile = settings.fileReferences().get(modelKey);
        if (fromFile != null) {
            return fromFile;
        }
        String stored = references.get(statsKey);
        if (stored != null) {
            return DriftReference.parse(stored);
        }
        Long first = firstWindows.get(statsKey);
        if (first == null) {
            firstWindows.put(statsKey, start.toEpochMilli());
            return null;
        }
        if (start.toEpochMilli() <= first || window.count() < settings.minReferenceCount()) {
            return null;
        }
        DriftReference reference = DriftReference.fromWindow(window,
            "first full window [" + start + ", " + end + ") of " + statsKey);
        references.put(statsKey, reference.toJson());
        LOG.info("drift reference for {} is window [{}, {}) with {} observations", statsKey, start, end,
            window.count());
        return reference;
    }
}
