package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.registry.AvroDeserializer;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics branch in a TopologyTestDriver with the embedded (in-memory) schema registry. Observations are piped
 * as "label,score[,version[,e1;e2;...[,source]]]" strings with the event time as record timestamp (version "-" keeps
 * the default).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FeatureStatsTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Duration SIZE = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final String KEY = FeatureStatsTopology.modelKey(Obs.MODEL, Obs.VERSION);

    private static EmbeddedSchemaRegistry registry;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startRegistry() {
        registry = EmbeddedSchemaRegistry.inMemory(0);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    /** Driver, input and output of one test. */
    private final class Fixture implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<String, String> input;
        final TestOutputTopic<String, FeatureStats> output;

        Fixture(FeatureStatsSettings settings) {
            SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url());
            StreamsBuilder builder = new StreamsBuilder();
            KStream<String, Observation> observations = builder
                .stream("observations", Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(FeatureStatsTopologyTest::observation);
            FeatureStatsTopology.addTo(builder, observations, settings, "image-stats",
                new AvroSerde<>(FeatureStats.class, client, false));
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "stats-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            driver = new TopologyTestDriver(builder.build(), props);
            input = driver.createInputTopic("observations", new StringSerializer(), new StringSerializer());
            output = driver.createOutputTopic("image-stats", new StringDeserializer(),
                new AvroDeserializer<>(FeatureStats.class, client, false));
        }

        void pipe(String value, Duration at) {
            input.pipeInput("image-" + at.toMillis(), value, T0.plus(at));
        }

        void pipe(String value, Duration at, int times) {
            for (int i = 0; i < times; i++) {
                pipe(value, at.plusMillis(i));
            }
        }

        long late(String modelKey) {
            KeyValueStore<String, Long> store = driver.getKeyValueStore("feature-stats-late");
            Long n = store.get(modelKey);
            return n == null ? 0 : n;
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    private static Observation observation(String csv) {
        String[] f = csv.split(",");
        Obs o = Obs.of(f[0], Double.parseDouble(f[1])).truth(f[0]).embedding(f[0].length(), 1);
        if (f.length > 2 && !f[2].equals("-")) {
            o.version(f[2]);
        }
        if (f.length > 3) {
            String[] parts = f[3].split(";");
            float[] e = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                e[i] = Float.parseFloat(parts[i]);
            }
            o.embedding(e);
        }
        if (f.length > 4) {
            o.source(f[4]);
        }
        return o.build();
    }

    private static FeatureStatsSettings settings(long minReferenceCount, Map<String, DriftReference> files) {
        return new FeatureStatsSettings(SIZE, GRACE, 0.5, DriftSettings.DEFAULTS, minReferenceCount, files,
            "feature-stats");
    }

    @Test
    void eachWindowIsEmittedOnceWhenItClosesWithExactCounts() {
        try (Fixture f = new Fixture(settings(1, Map.of()))) {
            f.pipe("cat,0.9", Duration.ofSeconds(1));
            f.pipe("dog,0.4", Duration.ofSeconds(20));
            f.pipe("cat,0.8", Duration.ofSeconds(59));
            f.pipe("cat,0.7", Duration.ofSeconds(61));
            f.pipe("bird,0.6", Duration.ofSeconds(69)); // stream time 69 < 60 + 10: window 0 still open
            assertThat(f.output.isEmpty()).isTrue();
            f.pipe("bird,0.6", Duration.ofSeconds(70)); // 70 >= end 60 + grace 10: window 0 closes
            List<KeyValue<String, FeatureStats>> out = f.output.readKeyValuesToList();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).key).isEqualTo(KEY + "@" + T0);
            FeatureStats s = out.get(0).value;
            assertThat(s.getWindowStart()).isEqualTo(T0);
            assertThat(s.getWindowEnd()).isEqualTo(T0.plus(SIZE));
            assertThat(s.getModelName()).isEqualTo(Obs.MODEL);
            assertThat(s.getModelVersion()).isEqualTo(Obs.VERSION);
            assertThat(s.getCount()).isEqualTo(3);
            assertThat(s.getClassCounts().get(0).getLabel()).isEqualTo("cat");
            assertThat(s.getClassCounts().get(0).getCount()).isEqualTo(2);
            assertThat(s.getConfidence().getLowConfidenceCount()).isEqualTo(1);
            assertThat(s.getAccuracy().getAccuracy()).isEqualTo(1.0);
            assertThat(s.getDrift()).isNull(); // the first window only marks the version as seen

            f.pipe("cat,0.9", Duration.ofSeconds(200)); // closes window 1 (3 records) and window... none between
            out = f.output.readKeyValuesToList();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).value.getWindowStart()).isEqualTo(T0.plus(SIZE));
            assertThat(out.get(0).value.getCount()).isEqualTo(3);
            assertThat(out.get(0).value.getDrift()).isNotNull(); // window 1 is the reference: compared with itself
            assertThat(out.get(0).value.getDrift().getPsiClass()).isZero();
            assertThat(f.late(KEY)).isZero();
            // every piece of state is changelogged, so a failed-over instance continues the same windows
            assertThat(f.driver.producedTopicNames()).contains("stats-test-feature-stats-by-model-repartition",
                "stats-test-feature-stats-windows-changelog", "stats-test-feature-stats-references-changelog",
                "stats-test-feature-stats-first-window-changelog",
                "stats-test-feature-stats-until-window-closes-store-changelog");
        }
    }

    @Test
    void lateWithinGraceIsCountedAndLaterIsCountedAsLate() {
        try (Fixture f = new Fixture(settings(1, Map.of()))) {
            f.pipe("cat,0.9", Duration.ofSeconds(5));
            f.pipe("cat,0.9", Duration.ofSeconds(65));
            f.pipe("dog,0.9", Duration.ofSeconds(30)); // out of order but within grace: belongs to window 0
            f.pipe("cat,0.9", Duration.ofSeconds(75)); // closes window 0
            f.pipe("dog,0.9", Duration.ofSeconds(40)); // window 0 closed at 70: late
            f.pipe("dog,0.9", Duration.ofSeconds(59)); // late as well
            f.pipe("cat,0.9", Duration.ofSeconds(130)); // closes window 1
            List<FeatureStats> out = f.output.readValuesToList();
            assertThat(out).extracting(FeatureStats::getCount).containsExactly(2L, 2L);
            assertThat(out.get(0).getClassCounts()).extracting(c -> c.getLabel() + "=" + c.getCount())
                .containsExactly("cat=1", "dog=1");
            // the two late records are reported in the next window emitted for the key, then the count restarts
            assertThat(out).extracting(FeatureStats::getLateCount).containsExactly(0L, 2L);
            assertThat(f.late(KEY)).isZero();
            // every piped record is accounted for: 2 + 2 emitted, 2 late, 1 in the open window 2
            assertThat(out.stream().mapToLong(s -> s.getCount() + s.getLateCount()).sum() + 1).isEqualTo(7);
            // and Kafka Streams' window aggregate dropped nothing itself (the gate took the late ones out first)
            double dropped = f.driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("dropped-records-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
            assertThat(f.driver.metrics().keySet()).anyMatch(m -> m.name().equals("dropped-records-total"));
            assertThat(dropped).isZero();
        }
    }

    @Test
    void classMixSwitchFlagsDriftInTheFirstWindowAfterIt() {
        String[] mixA = {"cat", "cat", "cat", "cat", "cat", "cat", "dog", "dog", "dog", "bird"};
        String[] mixB = {"bird", "bird", "bird", "bird", "bird", "bird", "dog", "dog", "dog", "cat"};
        try (Fixture f = new Fixture(settings(20, Map.of()))) {
            for (int w = 0; w < 6; w++) {
                String[] mix = w < 4 ? mixA : mixB;
                for (int i = 0; i < 30; i++) {
                    f.pipe(mix[i % mix.length] + ",0.9", SIZE.multipliedBy(w).plusSeconds(1 + i));
                }
            }
            f.pipe("cat,0.9", SIZE.multipliedBy(10)); // closes all six windows
            List<FeatureStats> out = f.output.readValuesToList();
            assertThat(out).hasSize(6).extracting(FeatureStats::getCount).containsOnly(30L);
            assertThat(out.get(0).getDrift()).isNull(); // first window of the version: assumed partial
            for (int w = 1; w < 6; w++) {
                FeatureStats s = out.get(w);
                assertThat(s.getDrift().getReference()).isEqualTo("first full window [" + T0.plus(SIZE) + ", "
                    + T0.plus(SIZE.multipliedBy(2)) + ") of " + KEY);
                assertThat(s.getDrift().getDrift()).as("window %d psiClass %s", w, s.getDrift().getPsiClass())
                    .isEqualTo(w >= 4);
            }
            assertThat(out.get(3).getDrift().getPsiClass()).isZero();
            assertThat(out.get(4).getDrift().getPsiClass()).isGreaterThan(1.0);
            assertThat(out.get(4).getDrift().getEmbeddingMeanShift()).isPositive();
        }
    }

    @Test
    void embeddingShiftAloneRaisesDriftInTheFirstWindowAfterIt() {
        // Same classes and scores throughout; from window 4 on the embeddings move by about one reference standard
        // deviation in every dimension (like clean images turning into heavily noised ones).
        java.util.Random random = new java.util.Random(7);
        try (Fixture f = new Fixture(settings(20, Map.of()))) {
            for (int w = 0; w < 6; w++) {
                double shift = w >= 4 ? 1.0 : 0.0;
                for (int i = 0; i < 40; i++) {
                    String e = String.format(java.util.Locale.ROOT, "%.6f;%.6f;%.6f", random.nextGaussian() + shift,
                        random.nextGaussian() - shift, 2 * random.nextGaussian() + 2 * shift);
                    f.pipe((i % 2 == 0 ? "cat" : "dog") + ",0.95,-," + e, SIZE.multipliedBy(w).plusSeconds(1 + i));
                }
            }
            f.pipe("cat,0.95", SIZE.multipliedBy(10));
            List<FeatureStats> out = f.output.readValuesToList();
            assertThat(out).hasSize(6);
            assertThat(out.get(0).getDrift()).isNull();
            for (int w = 1; w < 6; w++) {
                var d = out.get(w).getDrift();
                assertThat(d.getPsiClass()).isZero();
                assertThat(d.getPsiConfidence()).isZero();
                assertThat(d.getEmbeddingShiftThreshold()).isEqualTo(DriftSettings.DEFAULT_EMBEDDING_SHIFT_THRESHOLD);
                assertThat(d.getDrift()).as("window %d: shift %s", w, d.getEmbeddingStandardisedShift())
                    .isEqualTo(w >= 4);
            }
            assertThat(out.get(3).getDrift().getEmbeddingStandardisedShift()).isLessThan(0.5);
            assertThat(out.get(4).getDrift().getEmbeddingStandardisedShift()).isGreaterThan(0.8);
        }
    }

    @Test
    void bySourceKeepsOneSetOfWindowsPerSource() {
        FeatureStatsSettings bySource = new FeatureStatsSettings(SIZE, GRACE, 0.5, DriftSettings.DEFAULTS, 1,
            Map.of(), "feature-stats", true);
        try (Fixture f = new Fixture(bySource)) {
            f.pipe("cat,0.9,-,1;2,cam-a", Duration.ofSeconds(1), 3);
            f.pipe("dog,0.9,-,1;2,cam-b#2", Duration.ofSeconds(2), 2);
            f.pipe("cat,0.9,-,1;2,cam-a", Duration.ofSeconds(100));
            List<KeyValue<String, FeatureStats>> out = f.output.readKeyValuesToList();
            assertThat(out).extracting(kv -> kv.key)
                .containsExactlyInAnyOrder(KEY + "#cam-a@" + T0, KEY + "#cam-b#2@" + T0);
            for (KeyValue<String, FeatureStats> kv : out) {
                boolean a = kv.key.contains("cam-a");
                assertThat(kv.value.getSource()).isEqualTo(a ? "cam-a" : "cam-b#2");
                assertThat(kv.value.getCount()).isEqualTo(a ? 3 : 2);
                assertThat(kv.value.getModelVersion()).isEqualTo(Obs.VERSION);
            }
        }
    }

    @Test
    void fileReferenceIsUsedFromTheFirstWindowAndVersionsAreSeparate() {
        DriftReference file = new DriftReference("validation set", Obs.MODEL, Obs.VERSION, 100,
            Map.of("cat", 1.0), new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, null, null);
        try (Fixture f = new Fixture(settings(1, Map.of(KEY, file)))) {
            f.pipe("cat,0.95", Duration.ofSeconds(1), 4);
            f.pipe("dog,0.95,4", Duration.ofSeconds(2), 3);
            f.pipe("cat,0.95", Duration.ofSeconds(100));
            List<KeyValue<String, FeatureStats>> out = f.output.readKeyValuesToList();
            assertThat(out).extracting(kv -> kv.key).containsExactlyInAnyOrder(KEY + "@" + T0, "shapes:4@" + T0);
            for (KeyValue<String, FeatureStats> kv : out) {
                if (kv.key.startsWith(KEY)) {
                    assertThat(kv.value.getCount()).isEqualTo(4);
                    assertThat(kv.value.getDrift().getReference()).isEqualTo("validation set");
                    assertThat(kv.value.getDrift().getPsiClass()).isZero();
                    assertThat(kv.value.getDrift().getDrift()).isFalse();
                } else {
                    assertThat(kv.value.getModelVersion()).isEqualTo("4");
                    assertThat(kv.value.getCount()).isEqualTo(3);
                    assertThat(kv.value.getDrift()).isNull();
                }
            }
        }
    }

    @Test
    void referenceWithAnotherEmbeddingDimensionStillGivesClassAndConfidenceDrift() {
        DriftReference file = new DriftReference("other model", Obs.MODEL, Obs.VERSION, 100,
            Map.of("dog", 1.0), new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, new double[] {1, 2, 3},
            new double[] {1, 1, 1});
        try (Fixture f = new Fixture(settings(1, Map.of(KEY, file)))) {
            f.pipe("cat,0.95", Duration.ofSeconds(1), 5); // two-dimensional embeddings
            f.pipe("cat,0.95", Duration.ofSeconds(100));
            List<FeatureStats> out = f.output.readValuesToList();
            assertThat(out).hasSize(1);
            var drift = out.get(0).getDrift();
            assertThat(drift.getReference())
                .isEqualTo("other model (embedding ignored: the reference has dimension 3, the window 2)");
            assertThat(drift.getEmbeddingMeanShift()).isNull();
            assertThat(drift.getEmbeddingStandardisedShift()).isNull();
            assertThat(drift.getPsiClass()).isGreaterThan(0.2);
            assertThat(drift.getDrift()).isTrue();
        }
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> FeatureStatsSettings.defaults(Duration.ZERO, GRACE))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("stats window size must be > 0, found PT0S");
        assertThatThrownBy(() -> FeatureStatsSettings.defaults(SIZE, Duration.ofSeconds(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("stats window grace must be >= 0, found PT-1S");
        assertThatThrownBy(() -> new FeatureStatsSettings(SIZE, GRACE, 0.5, DriftSettings.DEFAULTS, 0, Map.of(), "x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum reference count");
        assertThatThrownBy(() -> new FeatureStatsSettings(SIZE, GRACE, 0.5, DriftSettings.DEFAULTS, 1, Map.of(),
            "a b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 'a b'");
        DriftReference a = DriftReference.parse(new DriftReference("a", "m", "1", 1, Map.of("x", 1.0),
            new double[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, null, null).toJson());
        DriftReference b = DriftReference.parse(a.toJson().replace("\"a\"", "\"b\""));
        assertThat(FeatureStatsSettings.byModel(List.of(a))).containsOnlyKeys("m:1");
        assertThatThrownBy(() -> FeatureStatsSettings.byModel(List.of(a, b)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("two drift references for m:1: 'a' and 'b'");
        FeatureStatsSettings d = FeatureStatsSettings.defaults(SIZE, GRACE);
        assertThat(d.windowStoreName()).isEqualTo("feature-stats-windows");
        assertThat(d.minReferenceCount()).isEqualTo(FeatureStatsSettings.DEFAULT_MIN_REFERENCE_COUNT);
    }
}
