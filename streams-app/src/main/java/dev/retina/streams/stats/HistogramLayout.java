package dev.retina.streams.stats;

/**
 * Bucket boundaries of a {@link FixedHistogram}: {@code buckets} buckets covering {@code [lo, hi]}, either of equal
 * width ({@link Kind#LINEAR}) or of equal ratio ({@link Kind#LOG}, bucket {@code i} is
 * {@code [lo * g^i, lo * g^(i+1))} with growth {@code g = (hi / lo)^(1 / buckets)}). Values below {@code lo} and
 * above {@code hi} are counted in an underflow and an overflow bucket.
 *
 * <p>Error bound of a quantile read from the histogram (see {@link FixedHistogram#quantile}), for quantiles whose
 * true value lies in {@code [lo, hi]}: LINEAR, absolute error at most {@link #absoluteError()} (half a bucket
 * width); LOG, relative error at most {@link #relativeError()} ({@code sqrt(g) - 1}).
 *
 * @param kind    linear or logarithmic spacing
 * @param lo      lower edge of the first bucket; {@code > 0} for LOG
 * @param hi      upper edge of the last bucket, {@code > lo}; a LINEAR histogram counts {@code hi} itself in its last
 *                bucket (so that a score of exactly 1 is in range), a LOG histogram counts it as overflow
 * @param buckets number of in-range buckets, in [1, {@value #MAX_BUCKETS}]
 */
public record HistogramLayout(Kind kind, double lo, double hi, int buckets) {

    /** Upper limit on the bucket count, also a guard when reading serialized layouts. */
    public static final int MAX_BUCKETS = 1 << 16;

    /** Top-1 scores: 100 buckets of width 0.01 over [0, 1], quantile error at most 0.005. */
    public static final HistogramLayout CONFIDENCE = linear(0, 1, 100);

    /**
     * Latencies in milliseconds: log buckets over [0.01 ms, 10^7 ms] with growth at most 1.02, so quantiles have a
     * relative error of at most 1% (0.995%); a latency under 0.01 ms is off by at most 0.005 ms.
     */
    public static final HistogramLayout LATENCY_MILLIS = logWithGrowth(0.01, 1e7, 1.02);

    /** Bucket spacing. */
    public enum Kind { LINEAR, LOG }

    public HistogramLayout {
        if (kind == null) {
            throw new IllegalArgumentException("histogram kind must be LINEAR or LOG, found null");
        }
        if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo < hi)) {
            throw new IllegalArgumentException("histogram range must be finite with lo < hi, found [" + lo + ", "
                + hi + "]");
        }
        if (kind == Kind.LOG && !(lo > 0)) {
            throw new IllegalArgumentException("a LOG histogram needs lo > 0, found " + lo);
        }
        if (buckets < 1 || buckets > MAX_BUCKETS) {
            throw new IllegalArgumentException("histogram bucket count must be in [1, " + MAX_BUCKETS + "], found "
                + buckets);
        }
    }

    /** Equal-width buckets. */
    public static HistogramLayout linear(double lo, double hi, int buckets) {
        return new HistogramLayout(Kind.LINEAR, lo, hi, buckets);
    }

    /** Equal-ratio buckets, as few as give a growth of at most {@code maxGrowth} per bucket. */
    public static HistogramLayout logWithGrowth(double lo, double hi, double maxGrowth) {
        if (!(maxGrowth > 1 && Double.isFinite(maxGrowth))) {
            throw new IllegalArgumentException("bucket growth must be > 1, found " + maxGrowth);
        }
        if (!(lo > 0 && hi > lo)) {
            throw new IllegalArgumentException("a LOG histogram needs 0 < lo < hi, found [" + lo + ", " + hi + "]");
        }
        int n = (int) Math.ceil(Math.log(hi / lo) / Math.log(maxGrowth));
        return new HistogramLayout(Kind.LOG, lo, hi, n);
    }

    /** Growth factor between consecutive LOG bucket edges (1 for LINEAR). */
    public double growth() {
        return kind == Kind.LOG ? Math.pow(hi / lo, 1.0 / buckets) : 1;
    }

    /** Width of a LINEAR bucket (NaN for LOG). */
    public double width() {
        return kind == Kind.LINEAR ? (hi - lo) / buckets : Double.NaN;
    }

    /** Largest absolute quantile error of a LINEAR layout: half a bucket width (NaN for LOG). */
    public double absoluteError() {
        return width() / 2;
    }

    /** Largest relative quantile error of a LOG layout: {@code sqrt(growth) - 1} (NaN for LINEAR). */
    public double relativeError() {
        return kind == Kind.LOG ? Math.sqrt(growth()) - 1 : Double.NaN;
    }

    /**
     * Slot of {@code x} in the counts array: 0 underflow, {@code 1..buckets} the buckets, {@code buckets + 1}
     * overflow.
     */
    int slot(double x) {
        if (x < lo) {
            return 0;
        }
        if (kind == Kind.LINEAR) {
            if (x > hi) {
                return buckets + 1;
            }
            int i = (int) ((x - lo) / (hi - lo) * buckets);
            return 1 + Math.min(i, buckets - 1);
        }
        if (x >= hi) {
            return buckets + 1;
        }
        int i = (int) (Math.log(x / lo) / Math.log(hi / lo) * buckets);
        return 1 + Math.min(Math.max(i, 0), buckets - 1);
    }

    /** Lower edge of in-range bucket {@code i} (0-based). */
    double lowerEdge(int i) {
        return kind == Kind.LINEAR ? lo + (hi - lo) * i / buckets : lo * Math.pow(hi / lo, (double) i / buckets);
    }

    /** The value reported for in-range bucket {@code i}: its midpoint (LINEAR) or geometric midpoint (LOG). */
    double representative(int i) {
        double a = lowerEdge(i);
        double b = lowerEdge(i + 1);
        return kind == Kind.LINEAR ? (a + b) / 2 : Math.sqrt(a * b);
    }

    void writeTo(StatsWriter out) {
        out.writeByte(kind.ordinal());
        out.writeDouble(lo);
        out.writeDouble(hi);
        out.writeVarLong(buckets);
    }

    static HistogramLayout readFrom(StatsReader in) {
        int k = in.readByte();
        if (k >= Kind.values().length) {
            throw new StatsFormatException("expected a histogram kind 0 (LINEAR) or 1 (LOG), found " + k);
        }
        double lo = in.readDouble("histogram lo");
        double hi = in.readDouble("histogram hi");
        int n = in.readCount("histogram bucket count", MAX_BUCKETS);
        try {
            return new HistogramLayout(Kind.values()[k], lo, hi, n);
        } catch (IllegalArgumentException e) {
            throw new StatsFormatException("invalid histogram layout: " + e.getMessage());
        }
    }
}
