package dev.retina.streams.stats;

import java.util.Arrays;

/**
 * Counts of values in the fixed buckets of a {@link HistogramLayout}, plus the exact count, minimum and maximum;
 * mergeable by adding counts. Memory is one long per bucket, whatever the number of values.
 *
 * <p>Quantiles use the nearest-rank definition: the {@code q}-quantile of {@code n} values is the
 * {@code k}-th smallest, {@code k = max(1, ceil(q * n))}. The histogram finds the bucket holding that value (the
 * first whose cumulative count reaches {@code k}) and reports the bucket's representative point clamped to the exact
 * [min, max]. The true value lies in the same bucket, so the error is bounded as {@link HistogramLayout} states; a
 * quantile that falls in the underflow (overflow) bucket is reported as the midpoint of [min, lo) ([hi, max]).
 */
public final class FixedHistogram {

    private final HistogramLayout layout;
    private final long[] counts;
    private long count;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    public FixedHistogram(HistogramLayout layout) {
        this.layout = layout;
        this.counts = new long[layout.buckets() + 2];
    }

    public HistogramLayout layout() {
        return layout;
    }

    /** Counts one finite value. */
    public void add(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("expected a finite value, found " + x);
        }
        counts[layout.slot(x)]++;
        count++;
        min = Math.min(min, x);
        max = Math.max(max, x);
    }

    /** Adds the counts of {@code other}, which must have the same layout. */
    public void merge(FixedHistogram other) {
        if (!other.layout.equals(layout)) {
            throw new IllegalArgumentException("cannot merge a histogram with layout " + other.layout
                + " into one with layout " + layout);
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    public long count() {
        return count;
    }

    /** Smallest value seen, 0 when empty. */
    public double min() {
        return count == 0 ? 0 : min;
    }

    /** Largest value seen, 0 when empty. */
    public double max() {
        return count == 0 ? 0 : max;
    }

    /** Count of in-range bucket {@code i} (0-based). */
    public long bucketCount(int i) {
        return counts[i + 1];
    }

    /** Values below {@code lo}. */
    public long underflow() {
        return counts[0];
    }

    /** Values above {@code hi} (LINEAR) or at or above it (LOG). */
    public long overflow() {
        return counts[counts.length - 1];
    }

    /**
     * The {@code q}-quantile estimate (see the class comment), 0 when empty.
     *
     * @param q in [0, 1]
     */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], found " + q);
        }
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        int slot = 0;
        while (slot < counts.length) {
            seen += counts[slot];
            if (seen >= rank) {
                break;
            }
            slot++;
        }
        double estimate;
        if (slot == 0) {
            estimate = (min + layout.lo()) / 2;
        } else if (slot == counts.length - 1) {
            estimate = (layout.hi() + max) / 2;
        } else {
            estimate = layout.representative(slot - 1);
        }
        return Math.min(max, Math.max(min, estimate));
    }

    /**
     * Proportions of the values in {@code groups} equal groups of consecutive in-range buckets, underflow counted
     * with the first group and overflow with the last; all zeros when empty.
     *
     * @throws IllegalArgumentException unless {@code groups} divides the bucket count
     */
    public double[] groupedProportions(int groups) {
        if (groups < 1 || layout.buckets() % groups != 0) {
            throw new IllegalArgumentException("group count must divide the " + layout.buckets() + " buckets, found "
                + groups);
        }
        double[] p = new double[groups];
        if (count == 0) {
            return p;
        }
        int per = layout.buckets() / groups;
        for (int i = 0; i < layout.buckets(); i++) {
            p[i / per] += counts[i + 1];
        }
        p[0] += counts[0];
        p[groups - 1] += counts[counts.length - 1];
        for (int g = 0; g < groups; g++) {
            p[g] /= count;
        }
        return p;
    }

    /**
     * Layout: the {@link HistogramLayout}; var-long count; when count > 0 the doubles min and max, a var-long number
     * of non-empty slots, then for each non-empty slot in increasing order the var-long gap to the previous slot
     * (the first gap is from -1) and the var-long count. Sparse, because a window fills few latency buckets.
     */
    void writeTo(StatsWriter out) {
        layout.writeTo(out);
        out.writeVarLong(count);
        if (count == 0) {
            return;
        }
        out.writeDouble(min);
        out.writeDouble(max);
        int nonEmpty = 0;
        for (long c : counts) {
            if (c != 0) {
                nonEmpty++;
            }
        }
        out.writeVarLong(nonEmpty);
        int previous = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                out.writeVarLong(i - previous);
                out.writeVarLong(counts[i]);
                previous = i;
            }
        }
    }

    static FixedHistogram readFrom(StatsReader in, String what) {
        FixedHistogram h = new FixedHistogram(HistogramLayout.readFrom(in));
        h.count = in.readVarLong(what + " count");
        if (h.count == 0) {
            return h;
        }
        h.min = in.readDouble(what + " min");
        h.max = in.readDouble(what + " max");
        if (!(Double.isFinite(h.min) && Double.isFinite(h.max) && h.min <= h.max)) {
            throw new StatsFormatException("expected finite " + what + " min <= max, found " + h.min + " and " + h.max);
        }
        int nonEmpty = in.readCount(what + " non-empty bucket count", h.counts.length);
        int slot = -1;
        long total = 0;
        for (int j = 0; j < nonEmpty; j++) {
            long gap = in.readVarLong(what + " bucket gap");
            if (gap < 1 || slot + gap >= h.counts.length) {
                throw new StatsFormatException("expected a " + what + " bucket below " + h.counts.length
                    + ", found slot " + (slot + gap));
            }
            slot += (int) gap;
            h.counts[slot] = in.readVarLong(what + " bucket count");
            total += h.counts[slot];
        }
        if (total != h.count) {
            throw new StatsFormatException("expected " + what + " bucket counts summing to " + h.count + ", found "
                + total);
        }
        return h;
    }

    @Override
    public String toString() {
        return "FixedHistogram[" + layout + " n=" + count + " min=" + min() + " max=" + max() + "]";
    }

    /** Whether both have the same layout and counts (for tests of the serialization). */
    boolean sameCounts(FixedHistogram other) {
        return layout.equals(other.layout) && Arrays.equals(counts, other.counts) && count == other.count;
    }
}
