package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Max pooling on the Vector API, separably, through a per-chunk row buffer that has {@code -inf}
 * columns for the left padding and past the right edge: for each output row, the element-wise maximum
 * of the window's valid input rows is taken a vector at a time (in registers, stored once) into the
 * buffer; then the maximum over the window's columns, again a vector at a time, at every column where a
 * window may start (unaligned loads at the kernel's column offsets), and every {@code strideW}-th of
 * those is an output (at stride 2 by lane permutations). Combining the rows in the buffer input row
 * by input row made each load wait on the overlapping stores before it (store forwarding fails on a
 * load that straddles two stores): 64 % of a 27-wide plane's samples. There are two row buffers, the
 * next output row's input rows combined before the current row's window maxima are read, meant to let
 * the row's stores retire first; JMH {@code PoolBench} showed no difference either way, and none on the
 * wide pools, which wait on L3. Maxima use {@link Math#max} semantics (NaN wins), as the reference
 * does, and a window with no valid input gives {@code -inf} like the reference; the reference keeps the
 * first of equal values, so the two may differ only in the sign of a zero. Planes are split over the
 * chunks.
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
            int rowFloats = rowFloats(g);
            float[] buf = ctx.scratch(chunk, 3 * rowFloats);
            // The padding columns of both row buffers; rows are written only between them.
            Arrays.fill(buf, 0, 2 * rowFloats, Float.NEGATIVE_INFINITY);
            int inPlane = g.inH() * g.inW();
            int outPlane = g.outH() * g.outW();
            for (int p = from; p < to; p++) {
                plane(g, in, p * inPlane, out, p * outPlane, buf, rowFloats);
            }
        }
    }

    /** Floats of one padded row buffer (also of the window maxima), with vector slack. */
    private static int rowFloats(PoolGeometry g) {
        int span = (g.outW() - 1) * g.strideW() + 1;
        int width = Math.max(g.padLeft() + g.inW(), span + (g.kernelW() - 1) * g.dilationW());
        return (width + L - 1) / L * L + L;
    }

    /**
     * One plane, row buffers at {@code buf[0..]} and {@code buf[rowFloats..]}, window maxima at
     * {@code buf[2 * rowFloats..]}. Output rows at least a vector wide are stored a whole vector at a
     * time, the last one ending at the row's end (overlapping the one before); at stride 1 straight from
     * the row buffer. A narrower output row is stored as one whole vector when the rows after it in the
     * plane take the lanes past its end (they are written later); the plane's last rows one by one.
     */
    private static void plane(PoolGeometry g, float[] in, int inOff, float[] out, int outOff, float[] buf,
                              int rowFloats) {
        int outW = g.outW();
        int kW = g.kernelW();
        int dW = g.dilationW();
        int sW = g.strideW();
        int spanEnd = ((outW - 1) * sW + 1 + L - 1) / L * L;
        int win = 2 * rowFloats;
        boolean valid = combineRows(g, in, inOff, 0, buf, g.padLeft());
        for (int oh = 0; oh < g.outH(); oh++) {
            int cur = (oh & 1) * rowFloats;
            boolean nextValid = oh + 1 < g.outH()
                    && combineRows(g, in, inOff, oh + 1, buf, ((oh + 1) & 1) * rowFloats + g.padLeft());
            int outRow = outOff + oh * outW;
            if (!valid) {
                Arrays.fill(out, outRow, outRow + outW, Float.NEGATIVE_INFINITY);
            } else if (sW == 1 && outW >= L) {
                for (int x = 0; x < outW; x += L) {
                    int at = Math.min(x, outW - L);
                    FloatVector m = FloatVector.fromArray(VectorGemm.SPECIES, buf, cur + at);
                    for (int k = 1; k < kW; k++) {
                        m = m.max(FloatVector.fromArray(VectorGemm.SPECIES, buf, cur + at + k * dW));
                    }
                    m.intoArray(out, outRow + at);
                }
            } else {
                windowMaxima(buf, cur, win, spanEnd, kW, dW);
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
            valid = nextValid;
        }
    }

    /**
     * The maximum of output row {@code oh}'s valid input rows into {@code buf[dst..dst + inW)}, a vector
     * at a time in registers (the last vector ending at the row's end) where the row is at least a vector
     * wide; false, writing nothing, if the window has no valid input row.
     */
    private static boolean combineRows(PoolGeometry g, float[] in, int inOff, int oh, float[] buf, int dst) {
        int inW = g.inW();
        // The window's valid input rows: rows first, first + step, ... (the valid kernel rows are a run).
        int first = -1;
        int rows = 0;
        for (int kh = 0; kh < g.kernelH(); kh++) {
            int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
            if (ih >= 0 && ih < g.inH() && rows++ == 0) {
                first = inOff + ih * inW;
            }
        }
        if (rows == 0) {
            return false;
        }
        int step = g.dilationH() * inW;
        if (inW >= L) {
            for (int x = 0; x < inW; x += L) {
                int at = Math.min(x, inW - L);
                FloatVector m = FloatVector.fromArray(VectorGemm.SPECIES, in, first + at);
                for (int k = 1; k < rows; k++) {
                    m = m.max(FloatVector.fromArray(VectorGemm.SPECIES, in, first + k * step + at));
                }
                m.intoArray(buf, dst + at);
            }
        } else {
            for (int iw = 0; iw < inW; iw++) {
                float m = in[first + iw];
                for (int k = 1; k < rows; k++) {
                    m = Math.max(m, in[first + k * step + iw]);
                }
                buf[dst + iw] = m;
            }
        }
        return true;
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

    /**
     * {@code buf[win + x] = max over k < kW of buf[row + x + k * dW]} for {@code x < spanEnd}, a vector at
     * a time.
     */
    private static void windowMaxima(float[] buf, int row, int win, int spanEnd, int kW, int dW) {
        for (int x = 0; x < spanEnd; x += L) {
            FloatVector m = FloatVector.fromArray(VectorGemm.SPECIES, buf, row + x);
            for (int k = 1; k < kW; k++) {
                m = m.max(FloatVector.fromArray(VectorGemm.SPECIES, buf, row + x + k * dW));
            }
            m.intoArray(buf, win + x);
        }
    }

}
