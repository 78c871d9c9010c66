package dev.retina.engine.oracle;

import java.util.Locale;

/**
 * Element-wise comparison of an engine output with the ONNX Runtime output.
 *
 * <p>The acceptance rule is {@code |actual - expected| <= tolerance * max(1, |expected|)} for every element: an
 * absolute bound for values of order one or less, a relative one for large magnitudes, where float32 rounding grows
 * with the value. Non-finite values must match exactly (NaN with NaN, same-signed infinity).
 *
 * @param name            output name
 * @param elements        element count
 * @param maxAbsDiff      max |actual - expected|
 * @param maxRelDiff      max |actual - expected| / |expected| over elements with |expected| >= 1e-3 (0 if none)
 * @param maxScaledDiff   max |actual - expected| / max(1, |expected|), the quantity held to the tolerance
 * @param maxAbsExpected  max |expected|, for judging the diffs
 * @param worstIndex      flat index of the element with the largest scaled diff (-1 if all equal)
 * @param worstExpected   expected value there
 * @param worstActual     actual value there
 */
record TensorComparison(String name, long elements, double maxAbsDiff, double maxRelDiff, double maxScaledDiff,
                        double maxAbsExpected, long worstIndex, float worstExpected, float worstActual) {

    static TensorComparison of(String name, float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException("output '" + name + "': expected " + expected.length
                    + " elements, found " + actual.length);
        }
        double maxAbs = 0;
        double maxRel = 0;
        double maxScaled = 0;
        double maxRef = 0;
        long worst = -1;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            double scaled;
            double abs;
            if (!Float.isFinite(e) || !Float.isFinite(a)) {
                boolean same = Float.compare(e, a) == 0;
                abs = same ? 0 : Double.POSITIVE_INFINITY;
                scaled = abs;
            } else {
                abs = Math.abs((double) a - e);
                scaled = abs / Math.max(1.0, Math.abs(e));
                maxRef = Math.max(maxRef, Math.abs(e));
                if (Math.abs(e) >= 1e-3) {
                    maxRel = Math.max(maxRel, abs / Math.abs(e));
                }
            }
            maxAbs = Math.max(maxAbs, abs);
            if (scaled > maxScaled || (worst < 0 && scaled > 0)) {
                maxScaled = scaled;
                worst = i;
            }
        }
        return new TensorComparison(name, expected.length, maxAbs, maxRel, maxScaled, maxRef, worst,
                worst < 0 ? 0 : expected[(int) worst], worst < 0 ? 0 : actual[(int) worst]);
    }

    boolean within(double tolerance) {
        return maxScaledDiff <= tolerance;
    }

    /** One line with every number, used both in the test log and in assertion messages. */
    String summary() {
        return String.format(Locale.ROOT,
                "%s: n=%d maxAbsDiff=%.3e maxRelDiff=%.3e maxScaledDiff=%.3e max|ref|=%.4g worst[%d] ref=%s got=%s",
                name, elements, maxAbsDiff, maxRelDiff, maxScaledDiff, maxAbsExpected, worstIndex,
                worstExpected, worstActual);
    }
}
