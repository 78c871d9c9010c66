package dev.retina.streams.stats;

import java.util.Objects;

import dev.retina.schemas.avro.FeatureStats;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The feature-statistics branch of the topology:
 *
 * <pre>
 * observations (any key; timestamp = event time; null values are not observations and are skipped)
 *   → re-keyed by model key "name:version" (or "name:version#source" when keyed by source)
 *   → repartition topic "&lt;prefix&gt;-by-model", value {@link ObservationSerde} (so each model version's windows live
 *     in one task)
 *   → {@link LateObservationGate} (records past the grace period are counted in "&lt;prefix&gt;-late", not dropped silently)
 *   → tumbling windows of windowSize with grace, merged into "&lt;prefix&gt;-windows" (changelogged, value serde
 *     {@link WindowAggregateSerde})
 *   → suppress until the window closes (one result per window)
 *   → {@link WindowStatsEmitter}: FeatureStats with drift and the late count since the previous window of the key,
 *     key "&lt;stats key&gt;@windowStart"
 *   → stats topic
 * </pre>
 *
 * <p>Window time is the record timestamp, so the caller should give each observation its image's event time as the
 * record timestamp. All stores are persistent and changelogged, so a restarted or failed-over instance continues the
 * same windows; under exactly-once the windows, the suppression buffer and the output commit together.
 */
public final class FeatureStatsTopology {

    /** Separates the model key from the source in a by-source stats key. */
    public static final String SOURCE_SEPARATOR = "#";

    private FeatureStatsTopology() {
    }

    /** The key of a model version in the windows, the stores and the output: {@code name:version}. */
    public static String modelKey(String modelName, String modelVersion) {
        return modelName + ":" + modelVersion;
    }

    /**
     * The key an observation's windows are kept under: its {@link #modelKey} or, when the settings key by source,
     * {@code name:version#source}. File drift references are always looked up by model key.
     */
    public static String statsKey(Observation o, boolean bySource) {
        String model = modelKey(o.modelName(), o.modelVersion());
        return bySource ? model + SOURCE_SEPARATOR + o.source() : model;
    }

    /**
     * Adds the branch to the builder of {@code observations} and writes FeatureStats to {@code statsTopic}.
     *
     * @param statsSerde a serde of FeatureStats for the output topic (in the app, the registry-backed Avro serde)
     * @return the stream of FeatureStats as written, for callers that want to log or count them
     */
    public static KStream<String, FeatureStats> addTo(StreamsBuilder builder, KStream<?, Observation> observations,
                                                      FeatureStatsSettings settings, String statsTopic,
                                                      Serde<FeatureStats> statsSerde) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(statsTopic, "statsTopic");
        Objects.requireNonNull(statsSerde, "statsSerde");
        String prefix = settings.storePrefix();
        WindowAggregateSerde aggregateSerde = new WindowAggregateSerde();
        ObservationSerde observationSerde = new ObservationSerde();
        double threshold = settings.lowConfidenceThreshold();

        builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(settings.lateStoreName()), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(settings.referenceStoreName()), Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(settings.firstWindowStoreName()), Serdes.String(), Serdes.Long()));

        long sizeMs = settings.windowSize().toMillis();
        long graceMs = settings.grace().toMillis();
        KStream<String, FeatureStats> stats = observations
            .filter((key, o) -> o != null, Named.as(prefix + "-non-null"))
            .selectKey((key, o) -> statsKey(o, settings.bySource()), Named.as(prefix + "-key-by-model"))
            .repartition(Repartitioned.<String, Observation>as(prefix + "-by-model")
                .withKeySerde(Serdes.String()).withValueSerde(observationSerde))
            .processValues(() -> new LateObservationGate(sizeMs, graceMs, settings.lateStoreName()),
                Named.as(prefix + "-late-gate"), settings.lateStoreName())
            .groupByKey(Grouped.with(prefix + "-grouped", Serdes.String(), observationSerde))
            .windowedBy(TimeWindows.ofSizeAndGrace(settings.windowSize(), settings.grace()))
            .aggregate(() -> new WindowAggregate(threshold), (key, observation, window) -> window.add(observation),
                Named.as(prefix + "-aggregate"),
                Materialized.<String, WindowAggregate, WindowStore<Bytes, byte[]>>as(settings.windowStoreName())
                    .withKeySerde(Serdes.String()).withValueSerde(aggregateSerde))
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                .withName(prefix + "-until-window-closes"))
            .toStream(Named.as(prefix + "-closed-windows"))
            .process(() -> new WindowStatsEmitter(settings), Named.as(prefix + "-emit"),
                settings.referenceStoreName(), settings.firstWindowStoreName(), settings.lateStoreName());
        stats.to(statsTopic, Produced.with(Serdes.String(), statsSerde).withName(prefix + "-sink"));
        return stats;
    }
}
