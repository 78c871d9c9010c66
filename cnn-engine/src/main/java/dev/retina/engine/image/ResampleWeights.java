package dev.retina.engine.image;

/**
 * Filter weights for resizing one axis from {@code inSize} to {@code outSize} samples with a triangle (bilinear)
 * filter whose support grows with the downscale factor, so shrinking averages every input sample (antialiasing)
 * instead of skipping some. This is the scheme of PIL's {@code Image.resize(..., BILINEAR)}:
 * <pre>
 *   scale   = inSize / outSize,  fs = max(scale, 1),  support = fs
 *   centre  = (i + 0.5) * scale                      for output sample i
 *   inputs  = x in [trunc(centre - support + 0.5), trunc(centre + support + 0.5)) clipped to [0, inSize)
 *   weight  = max(0, 1 - |(x + 0.5 - centre) / fs|), normalised to sum 1
 * </pre>
 * Enlarging (scale &lt; 1) is ordinary bilinear interpolation; scale 1 is the identity.
 *
 * <p>Only the output samples {@code [first, first + count)} are computed, so a resize followed by a centre crop
 * never computes the cropped-away part.
 */
final class ResampleWeights {

    /** First input index of output sample i (relative to the computed range). */
    final int[] start;
    /** Number of input samples of output sample i. */
    final int[] taps;
    /** Weights of output sample i at {@code [i * stride, i * stride + taps[i])}. */
    final double[] weights;
    final int stride;

    private ResampleWeights(int[] start, int[] taps, double[] weights, int stride) {
        this.start = start;
        this.taps = taps;
        this.weights = weights;
        this.stride = stride;
    }

    /**
     * @param inSize  input samples on this axis
     * @param outSize samples the full resized axis would have
     * @param first   first output sample wanted (crop offset)
     * @param count   output samples wanted (crop size), {@code first + count <= outSize}
     */
    static ResampleWeights compute(int inSize, int outSize, int first, int count) {
        if (inSize <= 0 || outSize <= 0 || first < 0 || count <= 0 || first + count > outSize) {
            throw new IllegalArgumentException("resample " + inSize + " -> " + outSize + " samples [" + first
                    + ", " + (first + count) + ") is not a valid range");
        }
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[count];
        int[] taps = new int[count];
        double[] weights = new double[count * stride];
        for (int i = 0; i < count; i++) {
            double centre = (first + i + 0.5) * scale;
            int lo = Math.max(0, (int) (centre - support + 0.5));
            int hi = Math.min(inSize, (int) (centre + support + 0.5));
            int n = Math.min(hi - lo, stride);
            double sum = 0;
            for (int k = 0; k < n; k++) {
                double w = triangle((lo + k + 0.5 - centre) / filterScale);
                weights[i * stride + k] = w;
                sum += w;
            }
            if (sum == 0) { // cannot happen for valid sizes; keep the nearest sample rather than dividing by 0
                weights[i * stride] = 1;
                n = 1;
                sum = 1;
            }
            for (int k = 0; k < n; k++) {
                weights[i * stride + k] /= sum;
            }
            start[i] = lo;
            taps[i] = n;
        }
        return new ResampleWeights(start, taps, weights, stride);
    }

    /** Smallest input index any output sample reads. */
    int minInput() {
        int min = Integer.MAX_VALUE;
        for (int s : start) {
            min = Math.min(min, s);
        }
        return min;
    }

    /** One past the largest input index any output sample reads. */
    int maxInputExclusive() {
        int max = 0;
        for (int i = 0; i < start.length; i++) {
            max = Math.max(max, start[i] + taps[i]);
        }
        return max;
    }

    private static double triangle(double x) {
        double a = Math.abs(x);
        return a < 1.0 ? 1.0 - a : 0.0;
    }
}
