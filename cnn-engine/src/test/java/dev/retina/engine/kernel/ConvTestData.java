package dev.retina.engine.kernel;

import java.util.SplittableRandom;

/** Shared by the convolution kernel tests: geometries by their padding, seeded data, element checks. */
final class ConvTestData {

    private ConvTestData() {
    }

    /** A geometry from its per-group channels, input size, kernel, strides, dilations and four paddings. */
    static ConvGeometry geometry(int inPerGroup, int outPerGroup, int group, int inH, int inW, int kh, int kw,
                                 int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr) {
        int outH = ConvGeometry.outputSize(inH, kh, sh, pt, pb, dh);
        int outW = ConvGeometry.outputSize(inW, kw, sw, pl, pr, dw);
        return new ConvGeometry(inPerGroup * group, inH, inW, outPerGroup * group, outH, outW, kh, kw, sh, sw, pt,
                pl, dh, dw, group);
    }

    /** {@code n} values uniform in [-1, 1). */
    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /**
     * Fails at the first element that differs from the expected one by more than {@code tolerance}
     * times its magnitude (at least one), naming it.
     */
    static void assertClose(float[] actual, float[] expected, float tolerance, String what) {
        for (int i = 0; i < expected.length; i++) {
            float tol = tolerance * Math.max(1f, Math.abs(expected[i]));
            if (Math.abs(actual[i] - expected[i]) > tol) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + ", found "
                        + actual[i] + " (difference " + Math.abs(actual[i] - expected[i]) + ")");
            }
        }
    }
}
