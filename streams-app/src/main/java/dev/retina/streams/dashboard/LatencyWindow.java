package dev.retina.streams.dashboard;

import java.util.Arrays;

/**
 * Latencies of one tick (a second), for p50/p99. Keeps at most {@code capacity} values per tick, the first ones:
 * past that the percentiles describe a prefix of the second, which at dashboard resolution is the same picture.
 * Not thread-safe (the dashboard's dispatcher thread owns it).
 */
final class LatencyWindow {

    private final double[] values;
    private int size;

    LatencyWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("expected a capacity >= 1, found " + capacity);
        }
        this.values = new double[capacity];
    }

    void add(double millis) {
        if (size < values.length && Double.isFinite(millis)) {
            values[size++] = millis;
        }
    }

    int size() {
        return size;
    }

    /**
     * The nearest-rank percentile {@code q} (0 < q <= 1) of the values since the last {@link #reset()}, 0 when
     * there are none. Sorts in place: call the percentiles, then reset.
     */
    double percentile(double q) {
        if (q <= 0 || q > 1) {
            throw new IllegalArgumentException("expected a quantile in (0, 1], found " + q);
        }
        if (size == 0) {
            return 0;
        }
        Arrays.sort(values, 0, size);
        int rank = (int) Math.ceil(q * size);
        return values[Math.max(0, rank - 1)];
    }

    void reset() {
        size = 0;
    }
}
