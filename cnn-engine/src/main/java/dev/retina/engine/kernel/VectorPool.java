package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Max pooling on the Vector API, separably: for each output row, the element-wise maximum of the
 * window's valid input rows is taken a vector at a time into a per-chunk row buffer, then each output
 * is the maximum of its window's valid columns of that buffer. Maxima use {@link Math#max} semantics
 * (NaN wins), as the reference does; the reference keeps the first of equal values, so the two may
 * differ only in the sign of a zero. Planes are split over the chunks.
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
            float[] rowMax = ctx.scratch(chunk, g.inW());
            int inPlane = g.inH() * g.inW();
            int outPlane = g.outH() * g.outW();
            for (int p = from; p < to; p++) {
                plane(g, in, p * inPlane, out, p * outPlane, rowMax);
            }
        }
    }

    private static void plane(PoolGeometry g, float[] in, int inOff, float[] out, int outOff, float[] rowMax) {
        int inW = g.inW();
        int vecEnd = inW / L * L;
        for (int oh = 0; oh < g.outH(); oh++) {
            int outRow = outOff + oh * g.outW();
            int rows = 0;
            for (int kh = 0; kh < g.kernelH(); kh++) {
                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                if (ih < 0 || ih >= g.inH()) {
                    continue;
                }
                int row = inOff + ih * inW;
                if (rows++ == 0) {
                    System.arraycopy(in, row, rowMax, 0, inW);
                    continue;
                }
                int iw = 0;
                for (; iw < vecEnd; iw += L) {
                    FloatVector.fromArray(VectorGemm.SPECIES, rowMax, iw)
                            .max(FloatVector.fromArray(VectorGemm.SPECIES, in, row + iw))
                            .intoArray(rowMax, iw);
                }
                for (; iw < inW; iw++) {
                    rowMax[iw] = Math.max(rowMax[iw], in[row + iw]);
                }
            }
            if (rows == 0) {
                Arrays.fill(out, outRow, outRow + g.outW(), Float.NEGATIVE_INFINITY);
                continue;
            }
            for (int ow = 0; ow < g.outW(); ow++) {
                int iw0 = ow * g.strideW() - g.padLeft();
                float m = Float.NEGATIVE_INFINITY;
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int iw = iw0 + kw * g.dilationW();
                    if (iw >= 0 && iw < inW) {
                        m = Math.max(m, rowMax[iw]);
                    }
                }
                out[outRow + ow] = m;
            }
        }
    }
}
