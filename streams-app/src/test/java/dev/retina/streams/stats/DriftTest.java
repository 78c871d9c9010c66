package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.FeatureStats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DriftTest {

    private static final Instant START = Instant.parse("2026-11-26T10:00:00Z");
    private static final String[] LABELS = {"cat", "dog", "bird"};

    @Test
    void handComputedPsi() {
        // (0.5-0.9) ln(0.5/0.9) + (0.5-0.1) ln(0.5/0.1) = 0.4 * 0.5877867 + 0.4 * 1.6094379 = 0.8788898
        assertThat(Drift.psi(new double[] {0.5, 0.5}, new double[] {0.9, 0.1}, 1e-12))
            .isCloseTo(0.87888984, within(1e-7));
        assertThat(Drift.psi(new double[] {0.2, 0.3, 0.5}, new double[] {0.2, 0.3, 0.5}, 1e-4)).isZero();
    }

    @Test
    void emptyBinsAreSmoothedToAFiniteValue() {
        // p' = (1.0001, 0.0001) / 1.0002 and q' swapped: 2 * (1.0000 / 1.0002) * ln(10001)
        double expected = 2 * (1.0 / 1.0002) * Math.log(10001);
        assertThat(Drift.psi(new double[] {1, 0}, new double[] {0, 1}, 1e-4)).isCloseTo(expected, within(1e-9))
            .isCloseTo(18.4172, within(1e-3));
    }

    @Test
    void classPsiUsesTheUnionOfLabels() {
        // window has "emu" the reference never saw; reference has "cat" the window lacks
        double viaMaps = Drift.classPsi(Map.of("dog", 0.5, "emu", 0.5), Map.of("dog", 0.5, "cat", 0.5), 1e-4);
        double viaArrays = Drift.psi(new double[] {0, 0.5, 0.5}, new double[] {0.5, 0.5, 0}, 1e-4);
        assertThat(viaMaps).isEqualTo(viaArrays).isGreaterThan(0.2);
    }

    @Test
    void refusesMismatchedBins() {
        assertThatThrownBy(() -> Drift.psi(new double[] {1}, new double[] {0.5, 0.5}, 1e-4))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("PSI needs the same bins on both sides, found 1 and 2");
        assertThatThrownBy(() -> Drift.psi(new double[] {-0.1, 1.1}, new double[] {0.5, 0.5}, 1e-4))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bin 0");
        assertThatThrownBy(() -> new DriftSettings(0, 1e-4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DriftSettings(0.2, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void windowAgainstItsOwnReferenceHasNoDrift() {
        WindowAggregate w = window(new Random(1), new double[] {0.6, 0.3, 0.1}, 500, 0);
        DriftReference ref = DriftReference.fromWindow(w, "first full window");
        DriftMeasure d = Drift.compare(w, ref, DriftSettings.DEFAULTS);
        assertThat(d.psiClass()).isCloseTo(0, within(1e-12));
        assertThat(d.psiConfidence()).isCloseTo(0, within(1e-12));
        assertThat(d.embeddingMeanDistance()).isZero();
        assertThat(d.embeddingStandardisedShift()).isZero();
        assertThat(d.drift()).isFalse();
        assertThat(d.reference()).isEqualTo("first full window");
    }

    @Test
    void handComputedEmbeddingShift() {
        DriftReference ref = new DriftReference("r", Obs.MODEL, Obs.VERSION, 10, Map.of("cat", 1.0),
            new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, new double[] {0, 0}, new double[] {4, 1});
        WindowAggregate w = new WindowAggregate();
        w.add(Obs.of("cat", 0.95).embedding(1, -2).build());
        w.add(Obs.of("cat", 0.95).embedding(3, 0).build()); // mean (2, -1)
        DriftMeasure d = Drift.compare(w, ref, DriftSettings.DEFAULTS);
        assertThat(d.embeddingMeanDistance()).isCloseTo(Math.sqrt(5), within(1e-12));
        // (|2| / sqrt(4 + 1e-4) + |-1| / sqrt(1 + 1e-4)) / 2, about 1 reference standard deviation
        double expected = (2 / Math.sqrt(4.0001) + 1 / Math.sqrt(1.0001)) / 2;
        assertThat(d.embeddingStandardisedShift()).isCloseTo(expected, within(1e-12));
        assertThat(d.psiClass()).isCloseTo(0, within(1e-12));
        assertThat(d.psiConfidence()).isCloseTo(0, within(1e-12));

        WindowAggregate noEmbedding = new WindowAggregate();
        noEmbedding.add(Obs.of("cat", 0.95).build());
        assertThat(Drift.compare(noEmbedding, ref, DriftSettings.DEFAULTS).embeddingMeanDistance()).isNull();
        WindowAggregate wrongDim = new WindowAggregate();
        wrongDim.add(Obs.of("cat", 0.95).embedding(1, 2, 3).build());
        assertThatThrownBy(() -> Drift.compare(wrongDim, ref, DriftSettings.DEFAULTS))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("reference 'r' has embeddings of dimension 2, the window has dimension 3");
        assertThatThrownBy(() -> Drift.compare(new WindowAggregate(), ref, DriftSettings.DEFAULTS))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one observation");
    }

    /**
     * Windows of 300 images: three with mix A (60/30/10), then three with mix B (10/30/60). The reference is the
     * first window; the flag must be down for windows 1-3 and up for windows 4-6.
     */
    @Test
    void classMixSwitchFlagsDriftInTheFirstWindowAfterAndNotBefore() {
        Random rnd = new Random(2026);
        double[] mixA = {0.6, 0.3, 0.1};
        double[] mixB = {0.1, 0.3, 0.6};
        List<FeatureStats> emitted = new ArrayList<>();
        DriftReference reference = null;
        for (int i = 0; i < 6; i++) {
            WindowAggregate w = window(rnd, i < 3 ? mixA : mixB, 300, i);
            if (reference == null) {
                reference = DriftReference.fromWindow(w, "first window of shapes:3");
            }
            Instant start = START.plusSeconds(60L * i);
            emitted.add(w.toFeatureStats(start, start.plusSeconds(60), reference, DriftSettings.DEFAULTS));
        }
        for (int i = 0; i < 6; i++) {
            FeatureStats s = emitted.get(i);
            assertThat(s.getDrift().getDrift()).as("window %d, psiClass %s", i, s.getDrift().getPsiClass())
                .isEqualTo(i >= 3);
            assertThat(s.getDrift().getPsiThreshold()).isEqualTo(0.2);
            assertThat(s.getDrift().getReference()).isEqualTo("first window of shapes:3");
        }
        assertThat(emitted.get(1).getDrift().getPsiClass()).isLessThan(0.05);
        assertThat(emitted.get(3).getDrift().getPsiClass()).isGreaterThan(1.0);
        // the score distribution did not change, only the classes
        assertThat(emitted.get(3).getDrift().getPsiConfidence()).isLessThan(0.1);
    }

    @Test
    void confidenceCollapseFlagsDriftWithTheSameClassMix() {
        Random rnd = new Random(8);
        WindowAggregate clean = window(rnd, new double[] {0.5, 0.5, 0}, 400, 0);
        DriftReference ref = DriftReference.fromWindow(clean, "clean");
        WindowAggregate noisy = new WindowAggregate();
        for (int i = 0; i < 400; i++) {
            // heavily noised images: same classes, scores near chance
            noisy.add(Obs.of(LABELS[i % 2], 0.34 + 0.2 * rnd.nextDouble()).embedding(emb(rnd, 0)).build());
        }
        DriftMeasure d = Drift.compare(noisy, ref, DriftSettings.DEFAULTS);
        assertThat(d.psiClass()).isLessThan(0.01);
        assertThat(d.psiConfidence()).isGreaterThan(1.0);
        assertThat(d.drift()).isTrue();
        assertThat(Drift.compare(noisy, ref, new DriftSettings(1e6, 1e-4)).drift()).isFalse();
    }

    /** A window of {@code n} images whose top-1 class follows {@code mix}, with scores spread over [0.7, 1]. */
    private static WindowAggregate window(Random rnd, double[] mix, int n, int index) {
        WindowAggregate w = new WindowAggregate();
        for (int i = 0; i < n; i++) {
            double u = rnd.nextDouble();
            int c = u < mix[0] ? 0 : u < mix[0] + mix[1] ? 1 : 2;
            w.add(Obs.of(LABELS[c], 0.7 + 0.3 * rnd.nextDouble()).index(c).embedding(emb(rnd, c))
                .time(60_000L * index + i).build());
        }
        return w;
    }

    private static float[] emb(Random rnd, int c) {
        return new float[] {(float) (c + rnd.nextGaussian()), (float) (1 - c + rnd.nextGaussian()),
            (float) rnd.nextGaussian()};
    }
}
