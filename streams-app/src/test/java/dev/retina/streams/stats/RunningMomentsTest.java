package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RunningMomentsTest {

    private static RunningMoments of(double... xs) {
        RunningMoments m = new RunningMoments();
        for (double x : xs) {
            m.add(x);
        }
        return m;
    }

    @Test
    void handComputedMoments() {
        // 2 4 4 4 5 5 7 9: sum 40, mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32
        RunningMoments m = of(2, 4, 4, 4, 5, 5, 7, 9);
        assertThat(m.count()).isEqualTo(8);
        assertThat(m.mean()).isEqualTo(5.0);
        assertThat(m.variance()).isCloseTo(4.0, within(1e-15));
        assertThat(m.sampleVariance()).isCloseTo(32.0 / 7, within(1e-15));
        assertThat(m.min()).isEqualTo(2.0);
        assertThat(m.max()).isEqualTo(9.0);
    }

    @Test
    void mergeOfHalvesEqualsWhole() {
        RunningMoments a = of(2, 4, 4, 4);
        a.merge(of(5, 5, 7, 9));
        assertThat(a.count()).isEqualTo(8);
        assertThat(a.mean()).isCloseTo(5.0, within(1e-15));
        assertThat(a.variance()).isCloseTo(4.0, within(1e-15));
        assertThat(a.min()).isEqualTo(2.0);
        assertThat(a.max()).isEqualTo(9.0);
    }

    @Test
    void emptySidesOfMerge() {
        RunningMoments empty = new RunningMoments();
        assertThat(empty.mean()).isZero();
        assertThat(empty.variance()).isZero();
        assertThat(empty.min()).isZero();
        assertThat(empty.max()).isZero();
        RunningMoments m = of(1, 3);
        m.merge(new RunningMoments());
        assertThat(m.count()).isEqualTo(2);
        assertThat(m.variance()).isEqualTo(1.0);
        empty.merge(m);
        assertThat(empty.mean()).isEqualTo(2.0);
        assertThat(empty.variance()).isEqualTo(1.0);
        assertThat(empty.min()).isEqualTo(1.0);
        assertThat(empty.max()).isEqualTo(3.0);
    }

    @Test
    void seededChunksMergedMatchTwoPassComputation() {
        Random rnd = new Random(42);
        double[] xs = new double[20_000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = 1000 + 3 * rnd.nextGaussian();
        }
        double mean = 0;
        for (double x : xs) {
            mean += x;
        }
        mean /= xs.length;
        double ss = 0;
        for (double x : xs) {
            ss += (x - mean) * (x - mean);
        }
        double variance = ss / xs.length;

        RunningMoments merged = new RunningMoments();
        int i = 0;
        while (i < xs.length) {
            int end = Math.min(xs.length, i + 1 + rnd.nextInt(1500));
            RunningMoments chunk = new RunningMoments();
            for (; i < end; i++) {
                chunk.add(xs[i]);
            }
            merged.merge(chunk);
        }
        assertThat(merged.count()).isEqualTo(xs.length);
        assertThat(merged.mean()).isCloseTo(mean, within(1e-9));
        assertThat(merged.variance()).isCloseTo(variance, within(1e-9));
    }

    @Test
    void stableWithLargeOffset() {
        // A naive sum of squares loses every digit here: 1e9^2 = 1e18 leaves no room for a variance of 1.
        RunningMoments m = of(1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16);
        assertThat(m.mean()).isEqualTo(1e9 + 10);
        assertThat(m.variance()).isCloseTo(22.5, within(1e-9));
    }

    @Test
    void refusesNonFiniteValues() {
        RunningMoments m = new RunningMoments();
        assertThatThrownBy(() -> m.add(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("expected a finite value, found NaN");
        assertThatThrownBy(() -> m.add(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThat(m.count()).isZero();
    }

    @Test
    void serializationRoundTrip() {
        RunningMoments m = of(2, 4, 4, 4, 5, 5, 7, 9);
        StatsWriter out = new StatsWriter(8);
        m.writeTo(out);
        new RunningMoments().writeTo(out);
        StatsReader in = new StatsReader(out.toByteArray());
        RunningMoments back = RunningMoments.readFrom(in, "x");
        RunningMoments empty = RunningMoments.readFrom(in, "y");
        in.requireEnd();
        assertThat(back.count()).isEqualTo(8);
        assertThat(back.mean()).isEqualTo(m.mean());
        assertThat(back.variance()).isEqualTo(m.variance());
        assertThat(back.min()).isEqualTo(2.0);
        assertThat(back.max()).isEqualTo(9.0);
        assertThat(empty.count()).isZero();
    }

    @Test
    void readRefusesNegativeM2() {
        StatsWriter out = new StatsWriter(8);
        out.writeVarLong(2);
        out.writeDouble(1);
        out.writeDouble(-1);
        out.writeDouble(0);
        out.writeDouble(2);
        assertThatThrownBy(() -> RunningMoments.readFrom(new StatsReader(out.toByteArray()), "width"))
            .isInstanceOf(StatsFormatException.class).hasMessageContaining("width").hasMessageContaining("m2=-1.0");
    }
}
