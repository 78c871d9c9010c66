package dev.retina.streams.stats;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the feature-statistics part of the topology.
 *
 * @param windowSize             length of the tumbling windows, {@code > 0}
 * @param grace                  how long after a window's end records for it are still accepted, {@code >= 0};
 *                               later ones are counted as late (see {@link LateObservationGate})
 * @param lowConfidenceThreshold top-1 scores below this count as low confidence, in [0, 1]
 * @param drift                  PSI threshold and smoothing
 * @param minReferenceCount      fewest observations a window needs to become a model version's drift reference,
 *                               {@code >= 1}
 * @param fileReferences         references read from files, by model key ({@link FeatureStatsTopology#modelKey});
 *                               they take precedence over the first-full-window reference
 * @param storePrefix            prefix of the state store and internal topic names, so that two instances of this
 *                               part in one application do not clash
 * @param bySource               false: one set of windows per model version; true: one per model version and image
 *                               source (see {@link FeatureStatsTopology#statsKey})
 */
public record FeatureStatsSettings(Duration windowSize, Duration grace, double lowConfidenceThreshold,
                                   DriftSettings drift, long minReferenceCount,
                                   Map<String, DriftReference> fileReferences, String storePrefix, boolean bySource) {

    /** Default {@code minReferenceCount}: a reference from fewer images would flag sampling noise as drift. */
    public static final long DEFAULT_MIN_REFERENCE_COUNT = 50;

    public FeatureStatsSettings {
        Objects.requireNonNull(windowSize, "windowSize");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(drift, "drift");
        Objects.requireNonNull(storePrefix, "storePrefix");
        if (windowSize.isNegative() || windowSize.isZero()) {
            throw new IllegalArgumentException("stats window size must be > 0, found " + windowSize);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("stats window grace must be >= 0, found " + grace);
        }
        if (!(lowConfidenceThreshold >= 0 && lowConfidenceThreshold <= 1)) {
            throw new IllegalArgumentException("low-confidence threshold must be in [0, 1], found "
                + lowConfidenceThreshold);
        }
        if (minReferenceCount < 1) {
            throw new IllegalArgumentException("minimum reference count must be >= 1, found " + minReferenceCount);
        }
        if (!storePrefix.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("store prefix must be a legal topic name part ([a-zA-Z0-9._-]+), found '"
                + storePrefix + "'");
        }
        fileReferences = Map.copyOf(fileReferences);
    }

    /** Settings that key the windows by model version only. */
    public FeatureStatsSettings(Duration windowSize, Duration grace, double lowConfidenceThreshold, DriftSettings drift,
                                long minReferenceCount, Map<String, DriftReference> fileReferences, String storePrefix) {
        this(windowSize, grace, lowConfidenceThreshold, drift, minReferenceCount, fileReferences, storePrefix, false);
    }

    /** Windows of {@code windowSize} with {@code grace}, every other setting at its default. */
    public static FeatureStatsSettings defaults(Duration windowSize, Duration grace) {
        return new FeatureStatsSettings(windowSize, grace, WindowAggregate.DEFAULT_LOW_CONFIDENCE_THRESHOLD,
            DriftSettings.DEFAULTS, DEFAULT_MIN_REFERENCE_COUNT, Map.of(), "feature-stats");
    }

    /**
     * File references keyed as {@code fileReferences} expects, by the model version each one names.
     *
     * @throws IllegalArgumentException if two references name the same model version
     */
    public static Map<String, DriftReference> byModel(Collection<DriftReference> references) {
        Map<String, DriftReference> map = new HashMap<>();
        for (DriftReference r : references) {
            String key = FeatureStatsTopology.modelKey(r.modelName(), r.modelVersion());
            DriftReference before = map.putIfAbsent(key, r);
            if (before != null) {
                throw new IllegalArgumentException("two drift references for " + key + ": '" + before.description()
                    + "' and '" + r.description() + "'");
            }
        }
        return Map.copyOf(map);
    }

    /** Name of the windowed aggregate store (and, with the application id, of its changelog topic). */
    public String windowStoreName() {
        return storePrefix + "-windows";
    }

    /** Name of the key-value store of late observation counts by stats key (counted since the last emitted window). */
    public String lateStoreName() {
        return storePrefix + "-late";
    }

    /** Name of the key-value store of drift references (JSON) by model key. */
    public String referenceStoreName() {
        return storePrefix + "-references";
    }

    /** Name of the key-value store of each model key's first window start. */
    public String firstWindowStoreName() {
        return storePrefix + "-first-window";
    }
}
