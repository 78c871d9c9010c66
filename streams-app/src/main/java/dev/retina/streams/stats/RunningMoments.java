package dev.retina.streams.stats;

/**
 * Count, mean, variance, minimum and maximum of a stream of finite doubles, in one pass and mergeable.
 *
 * <p>{@link #add} is Welford's update (mean and the sum of squared deviations {@code m2} move by the deviation from
 * the running mean, so no large sums cancel). {@link #merge} is Chan et al.'s pairwise combination:
 * with {@code d = mean_b - mean_a} and {@code n = n_a + n_b},
 * {@code mean = mean_a + d * n_b / n} and {@code m2 = m2_a + m2_b + d^2 * n_a * n_b / n}.
 * Merging is exact in real arithmetic, so merged and directly computed values differ only by rounding.
 */
public final class RunningMoments {

    private long count;
    private double mean;
    private double m2;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    /** Adds one value. */
    public void add(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("expected a finite value, found " + x);
        }
        count++;
        double delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
        min = Math.min(min, x);
        max = Math.max(max, x);
    }

    /** Adds everything {@code other} has seen; {@code other} is unchanged. */
    public void merge(RunningMoments other) {
        if (other.count == 0) {
            return;
        }
        if (count == 0) {
            count = other.count;
            mean = other.mean;
            m2 = other.m2;
            min = other.min;
            max = other.max;
            return;
        }
        long n = count + other.count;
        double delta = other.mean - mean;
        mean += delta * ((double) other.count / n);
        m2 += other.m2 + delta * delta * ((double) count * other.count / n);
        count = n;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    public long count() {
        return count;
    }

    /** Mean of the values, 0 when there are none. */
    public double mean() {
        return mean;
    }

    /** Population variance ({@code m2 / n}), 0 when there are none. */
    public double variance() {
        return count == 0 ? 0 : Math.max(0, m2 / count);
    }

    /** Sample variance ({@code m2 / (n - 1)}), 0 with fewer than two values. */
    public double sampleVariance() {
        return count < 2 ? 0 : Math.max(0, m2 / (count - 1));
    }

    /** Smallest value, or 0 when there are none. */
    public double min() {
        return count == 0 ? 0 : min;
    }

    /** Largest value, or 0 when there are none. */
    public double max() {
        return count == 0 ? 0 : max;
    }

    /** Layout: var-long count; when count > 0 four doubles: mean, m2, min, max. */
    void writeTo(StatsWriter out) {
        out.writeVarLong(count);
        if (count > 0) {
            out.writeDouble(mean);
            out.writeDouble(m2);
            out.writeDouble(min);
            out.writeDouble(max);
        }
    }

    static RunningMoments readFrom(StatsReader in, String what) {
        RunningMoments m = new RunningMoments();
        m.count = in.readVarLong(what + " count");
        if (m.count > 0) {
            m.mean = in.readDouble(what + " mean");
            m.m2 = in.readDouble(what + " m2");
            m.min = in.readDouble(what + " min");
            m.max = in.readDouble(what + " max");
            if (!(Double.isFinite(m.mean) && m.m2 >= 0 && Double.isFinite(m.m2) && m.min <= m.max)) {
                throw new StatsFormatException("expected finite " + what + " moments with m2 >= 0 and min <= max,"
                    + " found mean=" + m.mean + " m2=" + m.m2 + " min=" + m.min + " max=" + m.max);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "RunningMoments[n=" + count + " mean=" + mean() + " variance=" + variance() + " min=" + min()
            + " max=" + max() + "]";
    }
}
