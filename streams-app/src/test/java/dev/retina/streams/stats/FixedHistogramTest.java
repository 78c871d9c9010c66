package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FixedHistogramTest {

    /** Rounding at bucket edges may put a value a few ulps outside its bucket; far below any stated bound. */
    private static final double SLACK = 1e-12;

    private static FixedHistogram of(HistogramLayout layout, double... xs) {
        FixedHistogram h = new FixedHistogram(layout);
        for (double x : xs) {
            h.add(x);
        }
        return h;
    }

    /** Nearest-rank quantile of sorted values: the ceil(q n)-th smallest (at least the first). */
    private static double exact(double[] sorted, double q) {
        int rank = Math.max(1, (int) Math.ceil(q * sorted.length));
        return sorted[rank - 1];
    }

    @Test
    void handComputedLinearQuantiles() {
        FixedHistogram h = of(HistogramLayout.linear(0, 1, 10), 0.05, 0.15, 0.15, 0.95, 1.0);
        assertThat(h.bucketCount(0)).isEqualTo(1);
        assertThat(h.bucketCount(1)).isEqualTo(2);
        assertThat(h.bucketCount(9)).isEqualTo(2); // 1.0 belongs to the last bucket, not overflow
        assertThat(h.overflow()).isZero();
        // median: rank ceil(2.5) = 3, the second 0.15, bucket [0.1, 0.2) -> midpoint 0.15
        assertThat(h.quantile(0.5)).isCloseTo(0.15, within(1e-15));
        // q = 0: rank 1, bucket [0, 0.1) midpoint 0.05
        assertThat(h.quantile(0)).isCloseTo(0.05, within(1e-15));
        // q = 1: rank 5, bucket [0.9, 1.0] midpoint 0.95 (true 1.0: error 0.05 = half a bucket)
        assertThat(h.quantile(1)).isCloseTo(0.95, within(1e-15));
        assertThat(h.layout().absoluteError()).isCloseTo(0.05, within(1e-15));
    }

    @Test
    void estimateIsClampedToExactMinAndMax() {
        FixedHistogram h = of(HistogramLayout.linear(0, 1, 10), 0.31, 0.32);
        assertThat(h.quantile(0.5)).isEqualTo(0.32); // midpoint 0.35 clamped to the max
        assertThat(h.min()).isEqualTo(0.31);
        assertThat(h.max()).isEqualTo(0.32);
    }

    @Test
    void latencyLayoutStatesOnePercent() {
        HistogramLayout l = HistogramLayout.LATENCY_MILLIS;
        assertThat(l.kind()).isEqualTo(HistogramLayout.Kind.LOG);
        assertThat(l.growth()).isLessThanOrEqualTo(1.02);
        assertThat(l.relativeError()).isLessThan(0.01);
        assertThat(l.buckets()).isEqualTo(1047); // ceil(ln(1e9) / ln(1.02))
        assertThat(HistogramLayout.CONFIDENCE.absoluteError()).isCloseTo(0.005, within(1e-15));
    }

    @Test
    void confidenceQuantilesWithinHalfABucketOfExact() {
        Random rnd = new Random(11);
        double[] xs = new double[20_000];
        for (int i = 0; i < xs.length; i++) {
            double u = rnd.nextDouble();
            xs[i] = i % 7 == 0 ? u : Math.sqrt(u); // skewed towards 1, like softmax top-1 scores
        }
        FixedHistogram h = of(HistogramLayout.CONFIDENCE, xs);
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        double bound = HistogramLayout.CONFIDENCE.absoluteError() + SLACK;
        for (double q : new double[] {0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1}) {
            assertThat(h.quantile(q)).as("q=%s", q).isCloseTo(exact(sorted, q), within(bound));
        }
    }

    @Test
    void latencyQuantilesWithinOnePercentOfExact() {
        Random rnd = new Random(5);
        double[] xs = new double[20_000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.exp(2 + 1.2 * rnd.nextGaussian()); // log-normal around 7 ms, long tail
        }
        FixedHistogram h = of(HistogramLayout.LATENCY_MILLIS, xs);
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        double bound = HistogramLayout.LATENCY_MILLIS.relativeError() + SLACK;
        for (double q : new double[] {0.01, 0.5, 0.9, 0.95, 0.99, 0.999}) {
            double truth = exact(sorted, q);
            assertThat(Math.abs(h.quantile(q) - truth) / truth).as("q=%s", q).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void underflowAndOverflow() {
        FixedHistogram h = of(HistogramLayout.logWithGrowth(1, 100, 2), 0, 0.5, 5, 100, 250);
        assertThat(h.underflow()).isEqualTo(2);
        assertThat(h.overflow()).isEqualTo(2); // a LOG layout counts hi itself as overflow
        assertThat(h.count()).isEqualTo(5);
        assertThat(h.quantile(0)).isEqualTo(0.5); // midpoint of [min 0, lo 1)
        assertThat(h.quantile(1)).isEqualTo(175); // midpoint of [hi 100, max 250]
    }

    @Test
    void mergeEqualsOneHistogramOfAll() {
        Random rnd = new Random(3);
        FixedHistogram all = new FixedHistogram(HistogramLayout.LATENCY_MILLIS);
        FixedHistogram a = new FixedHistogram(HistogramLayout.LATENCY_MILLIS);
        FixedHistogram b = new FixedHistogram(HistogramLayout.LATENCY_MILLIS);
        for (int i = 0; i < 1000; i++) {
            double x = 50 * rnd.nextDouble();
            all.add(x);
            (i % 3 == 0 ? a : b).add(x);
        }
        a.merge(b);
        assertThat(a.sameCounts(all)).isTrue();
        assertThat(a.min()).isEqualTo(all.min());
        assertThat(a.max()).isEqualTo(all.max());
        assertThat(a.quantile(0.99)).isEqualTo(all.quantile(0.99));
        assertThatThrownBy(() -> a.merge(new FixedHistogram(HistogramLayout.CONFIDENCE)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot merge a histogram");
    }

    @Test
    void groupedProportions() {
        FixedHistogram h = of(HistogramLayout.CONFIDENCE, 0.05, 0.15, 0.19, 0.95);
        assertThat(h.groupedProportions(10)).containsExactly(0.25, 0.5, 0, 0, 0, 0, 0, 0, 0, 0.25);
        assertThatThrownBy(() -> h.groupedProportions(7)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("group count must divide the 100 buckets, found 7");
        assertThat(new FixedHistogram(HistogramLayout.CONFIDENCE).groupedProportions(10)).containsOnly(0);
    }

    @Test
    void refusesBadInput() {
        FixedHistogram h = new FixedHistogram(HistogramLayout.CONFIDENCE);
        assertThatThrownBy(() -> h.add(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.quantile(1.5)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("quantile must be in [0, 1], found 1.5");
        assertThat(h.quantile(0.5)).isZero();
        assertThatThrownBy(() -> HistogramLayout.linear(1, 1, 10)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("lo < hi");
        assertThatThrownBy(() -> new HistogramLayout(HistogramLayout.Kind.LOG, 0, 1, 10))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("a LOG histogram needs lo > 0, found 0.0");
    }

    @Test
    void sparseSerializationRoundTrip() {
        FixedHistogram h = of(HistogramLayout.LATENCY_MILLIS, 0.001, 3, 3, 40, 2e7);
        StatsWriter out = new StatsWriter(8);
        h.writeTo(out);
        byte[] bytes = out.toByteArray();
        // layout 1 + 8 + 8 + 2, count 1, min/max 16, 1 for 4 non-empty slots, then 4 (gap, count) pairs
        assertThat(bytes.length).isLessThan(60);
        StatsReader in = new StatsReader(bytes);
        FixedHistogram back = FixedHistogram.readFrom(in, "latency");
        in.requireEnd();
        assertThat(back.sameCounts(h)).isTrue();
        assertThat(back.quantile(0.5)).isEqualTo(h.quantile(0.5));
        assertThat(back.min()).isEqualTo(0.001);
        assertThat(back.max()).isEqualTo(2e7);
    }

    @Test
    void readRefusesCountsThatDoNotAddUp() {
        StatsWriter out = new StatsWriter(8);
        HistogramLayout.CONFIDENCE.writeTo(out);
        out.writeVarLong(3);
        out.writeDouble(0.1);
        out.writeDouble(0.2);
        out.writeVarLong(1);
        out.writeVarLong(11);
        out.writeVarLong(2);
        assertThatThrownBy(() -> FixedHistogram.readFrom(new StatsReader(out.toByteArray()), "confidence"))
            .isInstanceOf(StatsFormatException.class)
            .hasMessage("expected confidence bucket counts summing to 3, found 2");
    }
}
