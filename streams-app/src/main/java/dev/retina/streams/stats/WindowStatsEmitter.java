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
 * Turns each closed window into a FeatureStats record keyed {@code <model key>@<window start, ISO-8601 UTC>}, with
 * drift against the model version's reference.
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

    WindowStatsEmitter(FeatureStatsSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, FeatureStats> context) {
        this.context = context;
        this.references = context.getStateStore(settings.referenceStoreName());
        this.firstWindows = context.getStateStore(settings.firstWindowStoreName());
    }

    @Override
    public void process(Record<Windowed<String>, WindowAggregate> record) {
        WindowAggregate window = record.value();
        if (window == null || window.count() == 0) {
            return; // a suppressed window is never empty; nothing to report if one were
        }
        String modelKey = record.key().key();
        Instant start = record.key().window().startTime();
        Instant end = record.key().window().endTime();
        DriftReference reference = referenceFor(modelKey, start, end, window);
        FeatureStats stats = window.toFeatureStats(start, end, reference, settings.drift());
        if (stats.getDrift() != null && stats.getDrift().getDrift()) {
            LOG.warn("drift in window [{}, {}) of {}: psiClass {} psiConfidence {} (threshold {}, reference {})",
                start, end, modelKey, stats.getDrift().getPsiClass(), stats.getDrift().getPsiConfidence(),
                stats.getDrift().getPsiThreshold(), stats.getDrift().getReference());
        }
        context.forward(record.withKey(modelKey + "@" + start).withValue(stats));
    }

    private DriftReference referenceFor(String modelKey, Instant start, Instant end, WindowAggregate window) {
        DriftReference fromFile = settings.fileReferences().get(modelKey);
        if (fromFile != null) {
            return fromFile;
        }
        String stored = references.get(modelKey);
        if (stored != null) {
            return DriftReference.parse(stored);
        }
        Long first = firstWindows.get(modelKey);
        if (first == null) {
            firstWindows.put(modelKey, start.toEpochMilli());
            return null;
        }
        if (start.toEpochMilli() <= first || window.count() < settings.minReferenceCount()) {
            return null;
        }
        DriftReference reference = DriftReference.fromWindow(window,
            "first full window [" + start + ", " + end + ") of " + modelKey);
        references.put(modelKey, reference.toJson());
        LOG.info("drift reference for {} is window [{}, {}) with {} observations", modelKey, start, end,
            window.count());
        return reference;
    }
}
