package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.ClassCount;
import dev.retina.schemas.avro.ClassRecall;
import dev.retina.schemas.avro.FeatureStats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WindowAggregateTest {

    private static final Instant START = Instant.parse("2026-11-26T10:00:00Z");
    private static final Instant END = START.plusSeconds(60);

    /** Four images, every statistic computable by hand. */
    private static List<Observation> fourImages() {
        return List.of(
            Obs.of("cat", 0.9).size(100, 50).brightness(0.2).embedding(1, 2).latency(10, 2).truth("cat").build(),
            Obs.of("cat", 0.4).size(200, 50).brightness(0.4).embedding(3, 4).latency(20, 4).truth("dog").build(),
            Obs.of("dog", 0.8).size(100, 150).brightness(0.6).embedding(5, 0).latency(30, 6).truth("dog").build(),
            Obs.of("bird", 0.3).size(300, 50).brightness(0.8).embedding(3, 2).latency(40, 8).build());
    }

    @Test
    void knownInputGivesKnownStatistics() {
        WindowAggregate w = new WindowAggregate(0.5);
        fourImages().forEach(w::add);
        FeatureStats s = w.toFeatureStats(START, END, null, DriftSettings.DEFAULTS);

        assertThat(s.getWindowStart()).isEqualTo(START);
        assertThat(s.getWindowEnd()).isEqualTo(END);
        assertThat(s.getModelName()).isEqualTo(Obs.MODEL);
        assertThat(s.getModelVersion()).isEqualTo(Obs.VERSION);
        assertThat(s.getCount()).isEqualTo(4);
        assertThat(s.getClassCounts()).containsExactly(new ClassCount("cat", 2L), new ClassCount("bird", 1L),
            new ClassCount("dog", 1L));

        // scores 0.9 0.4 0.8 0.3: mean 0.6; sorted 0.3 0.4 0.8 0.9, median rank 2 = 0.4 (bucket midpoint 0.405)
        assertThat(s.getConfidence().getMean()).isCloseTo(0.6, within(1e-15));
        assertThat(s.getConfidence().getP50()).isCloseTo(0.4, within(0.005 + 1e-12));
        assertThat(s.getConfidence().getP95()).isCloseTo(0.9, within(0.005 + 1e-12));
        assertThat(s.getConfidence().getLowConfidenceThreshold()).isEqualTo(0.5);
        assertThat(s.getConfidence().getLowConfidenceCount()).isEqualTo(2);

        assertThat(s.getInput().getWidthMean()).isEqualTo(175.0);
        assertThat(s.getInput().getWidthMin()).isEqualTo(100);
        assertThat(s.getInput().getWidthMax()).isEqualTo(300);
        assertThat(s.getInput().getHeightMean()).isEqualTo(75.0);
        assertThat(s.getInput().getHeightMin()).isEqualTo(50);
        assertThat(s.getInput().getHeightMax()).isEqualTo(150);
        // brightness 0.2 0.4 0.6 0.8: mean 0.5, deviations +-0.3 +-0.1 -> variance (0.09+0.01)*2/4 = 0.05
        assertThat(s.getInput().getBrightnessMean()).isCloseTo(0.5, within(1e-15));
        assertThat(s.getInput().getBrightnessVariance()).isCloseTo(0.05, within(1e-15));

        // embeddings (1,2) (3,4) (5,0) (3,2): mean (3,2); variance dim0 (4+0+4+0)/4 = 2, dim1 (0+4+4+0)/4 = 2
        assertThat(s.getEmbedding().getDimension()).isEqualTo(2);
        assertThat(s.getEmbedding().getCount()).isEqualTo(4);
        assertThat(s.getEmbedding().getMean()).containsExactly(3.0, 2.0);
        assertThat(s.getEmbedding().getVariance().get(0)).isCloseTo(2.0, within(1e-15));
        assertThat(s.getEmbedding().getVariance().get(1)).isCloseTo(2.0, within(1e-15));
        assertThat(s.getEmbedding().getMeanL2Norm())
            .isCloseTo((Math.sqrt(5) + 5 + 5 + Math.sqrt(13)) / 4, within(1e-15));

        // three labelled: cat->cat right, dog->cat wrong, dog->dog right
        assertThat(s.getAccuracy().getLabelledCount()).isEqualTo(3);
        assertThat(s.getAccuracy().getCorrect()).isEqualTo(2);
        assertThat(s.getAccuracy().getAccuracy()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(s.getAccuracy().getPerClassRecall()).containsExactly(new ClassRecall("cat", 1L, 1L, 1.0),
            new ClassRecall("dog", 2L, 1L, 0.5));

        // end-to-end 10 20 30 40: p50 rank 2 = 20, p99 rank 4 = 40; inference 2 4 6 8: p50 4, p99 8
        double rel = HistogramLayout.LATENCY_MILLIS.relativeError() + 1e-12;
        assertThat(s.getLatency().getP50Millis()).isCloseTo(20, within(20 * rel));
        assertThat(s.getLatency().getP99Millis()).isCloseTo(40, within(40 * rel));
        assertThat(s.getLatency().getInferenceP50Millis()).isCloseTo(4, within(4 * rel));
        assertThat(s.getLatency().getInferenceP99Millis()).isCloseTo(8, within(8 * rel));

        assertThat(s.getDrift()).isNull();
        assertThat(w.minEventTime()).isEqualTo(1000);
    }

    @Test
    void noEmbeddingsAndNoLabelsGiveNullSummaries() {
        WindowAggregate w = new WindowAggregate();
        w.add(Obs.of("cat", 0.7).build());
        FeatureStats s = w.toFeatureStats(START, END, null, DriftSettings.DEFAULTS);
        assertThat(s.getEmbedding()).isNull();
        assertThat(s.getAccuracy()).isNull();
        assertThat(s.getConfidence().getLowConfidenceThreshold())
            .isEqualTo(WindowAggregate.DEFAULT_LOW_CONFIDENCE_THRESHOLD);
        assertThat(s.getConfidence().getLowConfidenceCount()).isZero();
    }

    @Test
    void mergedPartsEqualTheWholeWindow() {
        Random rnd = new Random(99);
        String[] labels = {"cat", "dog", "bird", "fish"};
        List<Observation> all = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            float[] e = new float[8];
            for (int d = 0; d < e.length; d++) {
                e[d] = (float) (d + rnd.nextGaussian());
            }
            all.add(Obs.of(labels[rnd.nextInt(4)], rnd.nextDouble()).size(32 + rnd.nextInt(600), 32 + rnd.nextInt(400))
                .brightness(rnd.nextDouble()).embedding(e).latency(1 + 100 * rnd.nextDouble(), rnd.nextDouble() * 9)
                .truth(rnd.nextBoolean() ? labels[rnd.nextInt(4)] : null).time(i).build());
        }
        WindowAggregate whole = new WindowAggregate(0.4);
        all.forEach(whole::add);
        WindowAggregate merged = new WindowAggregate(0.4);
        int i = 0;
        while (i < all.size()) {
            int end = Math.min(all.size(), i + 1 + rnd.nextInt(400));
            WindowAggregate part = new WindowAggregate(0.4);
            all.subList(i, end).forEach(part::add);
            merged.merge(part);
            i = end;
        }
        FeatureStats a = whole.toFeatureStats(START, END, null, DriftSettings.DEFAULTS);
        FeatureStats b = merged.toFeatureStats(START, END, null, DriftSettings.DEFAULTS);
        assertThat(b.getCount()).isEqualTo(3000);
        assertThat(b.getClassCounts()).isEqualTo(a.getClassCounts());
        assertThat(b.getAccuracy()).isEqualTo(a.getAccuracy());
        assertThat(b.getConfidence().getLowConfidenceCount()).isEqualTo(a.getConfidence().getLowConfidenceCount());
        assertThat(b.getConfidence().getP50()).isEqualTo(a.getConfidence().getP50());
        assertThat(b.getLatency()).isEqualTo(a.getLatency());
        assertThat(b.getConfidence().getMean()).isCloseTo(a.getConfidence().getMean(), within(1e-9));
        assertThat(b.getInput().getBrightnessVariance()).isCloseTo(a.getInput().getBrightnessVariance(),
            within(1e-9));
        assertThat(b.getInput().getWidthMean()).isCloseTo(a.getInput().getWidthMean(), within(1e-9));
        for (int d = 0; d < 8; d++) {
            assertThat(b.getEmbedding().getMean().get(d)).isCloseTo(a.getEmbedding().getMean().get(d), within(1e-9));
            assertThat(b.getEmbedding().getVariance().get(d))
                .isCloseTo(a.getEmbedding().getVariance().get(d), within(1e-9));
        }
        assertThat(merged.minEventTime()).isZero();
        assertThat(merged.maxEventTime()).isEqualTo(2999);
    }

    @Test
    void emptySideOfMergeIsNeutral() {
        WindowAggregate w = new WindowAggregate();
        w.merge(new WindowAggregate());
        assertThat(w.count()).isZero();
        WindowAggregate one = new WindowAggregate();
        one.add(Obs.of("cat", 0.9).embedding(1, 1).build());
        w.merge(one);
        assertThat(w.count()).isEqualTo(1);
        assertThat(w.modelVersion()).isEqualTo(Obs.VERSION);
        assertThat(w.embedding().count()).isEqualTo(1);
        one.merge(new WindowAggregate());
        assertThat(one.count()).isEqualTo(1);
    }

    @Test
    void refusesMixedModelsThresholdsAndDimensions() {
        WindowAggregate w = new WindowAggregate();
        w.add(Obs.of("cat", 0.9).embedding(1, 2).build());
        assertThatThrownBy(() -> w.add(Obs.of("cat", 0.9).version("4").build()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("this window aggregates model shapes:3, found an observation of shapes:4");
        assertThatThrownBy(() -> w.add(Obs.of("cat", 0.9).embedding(1, 2, 3).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("expected an embedding of dimension 2, found 3");
        assertThat(w.count()).isEqualTo(1); // a refused observation leaves no trace
        assertThatThrownBy(() -> w.merge(new WindowAggregate(0.3))).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cannot merge aggregates with low-confidence thresholds 0.3 and 0.5");
        WindowAggregate other = new WindowAggregate();
        other.add(Obs.of("cat", 0.9).embedding(1, 2, 3).build());
        assertThatThrownBy(() -> w.merge(other)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cannot merge embeddings of dimension 3 into dimension 2");
        assertThatThrownBy(() -> new WindowAggregate(1.5)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("low-confidence threshold must be in [0, 1], found 1.5");
    }

    @Test
    void emptyWindowHasNoStatistics() {
        assertThatThrownBy(() -> new WindowAggregate().toFeatureStats(START, END, null, DriftSettings.DEFAULTS))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty window");
        WindowAggregate w = new WindowAggregate();
        w.add(Obs.of("cat", 0.9).build());
        assertThatThrownBy(() -> w.toFeatureStats(END, START, null, DriftSettings.DEFAULTS))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window end must be after its start");
    }

    @Test
    void observationValidation() {
        assertThatThrownBy(() -> Obs.of("cat", 1.2).build()).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("top1Score must be in [0, 1], found 1.2");
        assertThatThrownBy(() -> Obs.of("cat", 0.5).size(0, 3).build()).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("image size must be positive, found 0x3");
        assertThatThrownBy(() -> Obs.of("cat", 0.5).latency(-1, 0).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessage("endToEndMillis must be finite and >= 0, found -1.0");
        assertThatThrownBy(() -> Obs.of("cat", 0.5).embedding().build()).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("found length 0");
        float[] e = {1, 2};
        Observation o = Obs.of("cat", 0.5).embedding(e).build();
        e[0] = 9;
        assertThat(o.embedding()).containsExactly(1, 2);
        assertThat(o).isEqualTo(Obs.of("cat", 0.5).embedding(1, 2).build());
        assertThat(Observation.entropyOf(new double[] {0.5, 0.5, 0})).isCloseTo(Math.log(2), within(1e-15));
        assertThat(Observation.entropyOf(new double[] {1, 0})).isZero();
        assertThatThrownBy(() -> Observation.entropyOf(new double[] {-0.1, 1.1}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found -0.1 at index 0");
    }
}
