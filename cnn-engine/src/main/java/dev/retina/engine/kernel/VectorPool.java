package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Max pooling on the Vector API, separably: for each output row, the element-wise maximum of the
 * window's valid input rows is taken a vector at a time into a per-chunk row buffer that has
 * {@code -inf} columns for the left padding and past the right edge; then the maximum over the
 * window's columns is taken, again a vector at a time, at every column where a window may start
 * (unaligned loads at the kernel's column offsets), and every {@code strideW}-th of those is an
 * output. Maxima use {@link Math#max} semantics (NaN wins), as the reference does, and a window with
 * no valid input gives {@code -inf} like the reference; the reference keeps the first of equal values,
 * so the two may differ only in the sign of a zero. Planes are split over the chunks.
 */
final class VectorPool {

    private static final int L = VectorGemm.L;

    private VectorPool() {
    }

    static void maxPool2d(PoolGeometry g, float[] in, float[] out, int planes, ComputeContext ctx) {
        Body body = ctx.body(Body.class, Body::new);
        body.g = g;
        body.in = in;
        body.out = out;
        body.ctx = ctx;
        try {
            long work = (long) planes * g.outH() * g.outW() * g.kernelH() * g.kernelW();
            if (work < VectorGemm.SERIAL_WORK) {
                body.run(0, 0, planes);
            } else {
                ctx.parallelFor(planes, body);
            }
        } finally {
            body.in = null;
            body.out = null;
            body.ctx = null;
        }
    }

    /** The loop over planes: this context's reusable instance, so a call allocates nothing. */
    static final class Body implements ComputeContext.RangeBody {
        private PoolGeometry g;
        private float[] in;
        private float[] out;
        private ComputeContext ctx;

        @Override
        public void run(int chunk, int from, int to) {
            float[] rowMax = ctx.scratch(chunk, 2 * rowFloats(g));
            int inPlane = g.inH() * g.inW();
            int outPlane = g.outH() * g.outW();
            boolean unpadded = unpaddedRows(g);
            for (int p = from; p < to; p++) {
                if (unpadded) {
                    unpaddedPlane(g, in, p * inPlane, out, p * outPlane, rowMax);
                } else {
                    plane(g, in, p * inPlane, out, p * outPlane, rowMax);
                }
            }
        }
    }

    /** Floats of the padded row buffer, and as many again for the window maxima, plus vector slack. */
    private static int rowFloats(PoolGeometry g) {
        int span = (g.outW() - 1) * g.strideW() + 1;
        int width = Math.max(g.padLeft() + g.inW(), span + (g.kernelW() - 1) * g.dilationW());
        return (width + L - 1) / L * L + L;
    }

    /**
     * True where {@link #unpaddedPlane} applies: no window column outside the row (no left padding, the
     * last window ends inside it), stride 1 or 2 across, and rows and output rows at least a vector wide.
     */
    static boolean unpaddedRows(PoolGeometry g) {
        int lastColumn = (g.outW() - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW();
        return g.padLeft() == 0 && lastColumn < g.inW() && g.inW() >= L && g.outW() >= L
                && (g.strideW() == 1 || g.strideW() == 2);
    }

    /**
     * Rows without horizontal padding: the window's valid input rows are combined in one pass straight
     * from the input into the row buffer (no scalar tail: the last vector of a row ends at its end and
     * overlaps the one before), then each output vector is the maximum over the
     * window's columns at its window starts, stored whole, the last one ending at the row's end; for
     * stride 2 the maxima at every start are taken a vector at a time and every other one is copied.
     */
    private static void unpaddedPlane(PoolGeometry g, float[] in, int inOff, float[] out, int outOff, float[] buf) {
        int inW = g.inW();
        int outW = g.outW();
        int kW = g.kernelW();
        int dW = g.dilationW();
        for (int oh = 0; oh < g.outH(); oh++) {
            int outRow = outOff + oh * outW;
            // The window's valid input rows: rows first, first + step, ... (the valid kernel rows are a run).
            int first = -1;
            int rows = 0;
            for (int kh = 0; kh < g.kernelH(); kh++) {
                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                if (ih >= 0 && ih < g.inH()) {
                    if (rows++ == 0) {
                        first = inOff + ih * inW;
                    }
                }
            }
            if (rows == 0) {
                Arrays.fill(out, outRow, outRow + outW, Float.NEGATIVE_INFINITY);
                continue;
            }
            int step = g.dilationH() * inW;
            for (int x = 0; x < inW; x += L) {
                int at = Math.min(x, inW - L);
                FloatVector m = FloatVector.fromArray(VectorGemm.SPECIES, in, first + at);
                for (int k = 1; k < rows; k++) {
                    m = m.max(FloatVector.fromArray(VectorGemm.SPECIES, in, first + k * step + at));
                }
                m.intoArray(buf, at);
            }
            // The window maxima read the buffer, whose slack past the row feeds only dropped lanes.
            if (g.strideW() == 1) {
                for (int x = 0; x < outW; x += L) {
                    int at = Math.min(x, outW - L);
                    FloatVector m = FloatVector.fromArray(VectorGemm.SPECIES, buf, at);
                    for (int k = 1; k < kW; k++) {
                        m = m.max(FloatVector.fromArray(VectorGemm.SPECIES, buf, at + k * dW));
                    }
                    m.intoArray(out, outRow + at);
                }
            } else {
                // Every window start a vector at a time, then every other one.
                int win = rowFloats(g);
                windowMaxima(buf, win, (2 * outW - 1 + L - 1) / L * L, kW, dW);
                evenLanes(buf, win, out, outRow, outW);
            }
        }
    }

    /**
     * Any geometry: the window's valid input rows are combined into the row buffer (a vector at a time,
     * the last one overlapping the one before where the row is at least a vector wide), the maxima at
     * every window start taken a vector at a time, then every {@code strideW}-th copied out. An output
     * row narrower than a vector is stored as one whole vector when the rows after it in the plane take
     * the lanes past its end (they are written later); the plane's last rows one by one.
     */
    private static void plane(PoolGeometry g, float[] in, int inOff, float[] out, int outOff, float[] buf) {
        int inW = g.inW();
        int outW = g.outW();
        int left = g.padLeft();
        int rowFloats = rowFloats(g);
        int span = (outW - 1) * g.strideW() + 1;
        int spanEnd = (span + L - 1) / L * L;
        int win = rowFloats; // window maxima start here
        int sW = g.strideW();
        Arrays.fill(buf, 0, rowFloats, Float.NEGATIVE_INFINITY);
        for (int oh = 0; oh < g.outH(); oh++) {
            int outRow = outOff + oh * outW;
            int rows = 0;
            for (int kh = 0; kh < g.kernelH(); kh++) {
                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                if (ih < 0 || ih >= g.inH()) {
                    continue;
                }
                int row = inOff + ih * inW;
                if (rows++ == 0) {
                    System.arraycopy(in, row, buf, left, inW);
                } else if (inW >= L) {
                    for (int x = 0; x < inW; x += L) {
                        int at = Math.min(x, inW - L);
                        FloatVector.fromArray(VectorGemm.SPECIES, buf, left + at)
                                .max(FloatVector.fromArray(VectorGemm.SPECIES, in, row + at))
                                .intoArray(buf, left + at);
                    }
                } else {
                    for (int iw = 0; iw < inW; iw++) {
                        buf[left + iw] = Math.max(buf[left + iw], in[row + iw]);
                    }
                }
            }
            if (rows == 0) {
                Arrays.fill(out, outRow, outRow + outW, Float.NEGATIVE_INFINITY);
                continue;
            }
            windowMaxima(buf, win, spanEnd, g.kernelW(), g.dilationW());
            boolean spill = outW < L && (g.outH() - oh) * outW >= L;
            if (sW == 2 && (outW >= L || spill)) {
                evenLanes(buf, win, out, outRow, Math.max(outW, L));
            } else if (sW == 1 && spill) {
                FloatVector.fromArray(VectorGemm.SPECIES, buf, win).intoArray(out, outRow);
            } else {
                for (int ow = 0; ow < outW; ow++) {
                    out[outRow + ow] = buf[win + ow * sW];
                }
            }
        }
    }

    /**
     * {@code out[outRow + ow] = buf[win + 2 * ow]} for {@code ow < outW} (at least a vector), a vector at
     * a time: the even lanes of two window-maxima vectors by two constant lane permutations and a blend
     * ({@link VectorDepthwise#EVENS}), the last vector overlapping the one before. It reads up to
     * {@code buf[win + 2 * outW - 1]}, an odd lane that is dropped. One core, ns per output, permuted vs
     * copied one by one: 0.15 vs 1.08.
     */
    private static void evenLanes(float[] buf, int win, float[] out, int outRow, int outW) {
        for (int x = 0; x < outW; x += L) {
            int at = Math.min(x, outW - L);
            FloatVector v0 = FloatVector.fromArray(VectorGemm.SPECIES, buf, win + 2 * at);
            FloatVector v1 = FloatVector.fromArray(VectorGemm.SPECIES, buf, win + 2 * at + L);
            v0.rearrange(VectorDepthwise.EVENS).blend(v1.rearrange(VectorDepthwise.EVENS), VectorDepthwise.UPPER_HALF)
                    .intoArray(out, outRow + at);
        }
    }

    /** {@code buf[win + x] = max over k < kW of buf[x + k * dW]} for {@code x < spanEnd}, a vector at a time. */
    private static void windowMaxima(float[] buf, int win, int spanEnd, int kW, int dW) {
        for (int x = 0; x < spanEnd; x += L) {
            FloatVector m = FloatVector.fromArray(VectorGemm.SPECIES, buf, x);
            for (int k = 1; k < kW; k++) {
                m = m.max(FloatVector.fromArray(VectorGemm.SPECIES, buf, x + k * dW));
            }
            m.intoArray(buf, win + x);
        }
    }

}
