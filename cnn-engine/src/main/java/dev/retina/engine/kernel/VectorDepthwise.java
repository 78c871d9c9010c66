package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * Direct depthwise convolution on the Vector API (one input and one output channel per group), any
 * kernel size, stride, padding and dilation.
 *
 * <p>Each input plane is copied once into a per-chunk buffer, zero-padded to {@code Hp x Wp} and split
 * into {@code strideH * strideW} phase planes of {@code Hq x Wq} ({@code Hq = ceil(Hp / strideH)},
 * {@code Wq = ceil(Wp / strideW)}): phase {@code (r, c)} holds the padded elements whose row is
 * {@code r} and column {@code c} modulo the strides (for stride 1 there is one phase, the padded plane
 * itself). The output is then computed on a grid of row pitch {@code Wq}: output {@code (oh, ow)}
 * reads, for tap {@code (kh, kw)}, element {@code (oh + kh*dH / sH) * Wq + ow + kw*dW / sW} of phase
 * {@code (kh*dH mod sH, kw*dW mod sW)}, which is the tap's offset plus the output's grid index. So
 * every tap is one unmasked vector load at a fixed offset from the output index, over the whole plane
 * at once: no per-row edge cases and, for the small planes of late layers (7 x 7, 14 x 14), no
 * half-empty vector per row. Columns {@code outW..Wq-1} of each grid row are garbage and are dropped
 * when the rows are copied out.
 *
 * <p>Per output element the taps are summed with fused multiply-adds in the reference's (kh, kw)
 * order, then the bias is added and the activation applied (non-finite garbage lanes are harmless); padding adds exact zeros. Planes are
 * independent and split over the chunks, so results never depend on the thread count. The loop body
 * is this context's reusable {@link Body}: no allocation per call.
 */
final class VectorDepthwise {

    private static final int L = VectorGemm.L;
    /** Below this many multiply-adds the whole layer runs on the calling thread. */
    private static final long SERIAL_MACS = 60_000;

    private VectorDepthwise() {
    }

    static void run(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                    ComputeContext ctx) {
        Body body = ctx.body(Body.class, Body::new);
        body.set(g, w, act, in, out, ctx);
        try {
            int planes = batch * g.outChannels();
            if (g.macs() * batch < SERIAL_MACS) {
                body.run(0, 0, planes);
            } else {
                ctx.parallelFor(planes, body);
            }
        } finally {
            body.clear();
        }
    }

    /** The loop body over planes, with the layout of the phase buffer worked out once per call. */
    static final class Body implements ComputeContext.RangeBody {

        private ConvGeometry g;
        private float[] weights;
        private float[] bias;
        private Activation act;
        private float[] in;
        private float[] out;
        private ComputeContext ctx;
        private int hp;
        private int wp;
        private int hq;
        private int wq;
        private int phaseSize;
        private int grid;
        private int gridEnd;
        private int bufferFloats;
        private int[] tapOffsets = new int[9];
        /** Per column phase: the first and the end grid column that hold input (the rest is padding). */
        private int[] colFirst = new int[2];
        private int[] colEnd = new int[2];

        void set(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, ComputeContext ctx) {
            this.g = g;
            this.weights = w.weights();
            this.bias = w.bias();
            this.act = act;
            this.in = in;
            this.out = out;
            this.ctx = ctx;
            int sH = g.strideH();
            int sW = g.strideW();
            hp = Math.max(g.padTop() + g.inH(), (g.outH() - 1) * sH + (g.kernelH() - 1) * g.dilationH() + 1);
            wp = Math.max(g.padLeft() + g.inW(), (g.outW() - 1) * sW + (g.kernelW() - 1) * g.dilationW() + 1);
            hq = (hp + sH - 1) / sH;
            wq = (wp + sW - 1) / sW;
            phaseSize = hq * wq;
            grid = g.outH() * wq;
            gridEnd = (grid + L - 1) / L * L;
            int taps = g.kernelH() * g.kernelW();
            if (tapOffsets.length < taps) {
                tapOffsets = new int[taps];
            }
            int maxOffset = 0;
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int r = kh * g.dilationH();
                    int c = kw * g.dilationW();
                    int offset = ((r % sH) * sW + c % sW) * phaseSize + (r / sH) * wq + c / sW;
                    tapOffsets[kh * g.kernelW() + kw] = offset;
                    maxOffset = Math.max(maxOffset, offset);
                }
            }
            if (colFirst.length < sW) {
                colFirst = new int[sW];
                colEnd = new int[sW];
            }
            for (int cp = 0; cp < sW; cp++) {
                int left = g.padLeft();
                colFirst[cp] = Math.min(wq, (left - cp + sW - 1) / sW);
                colEnd[cp] = Math.max(colFirst[cp], Math.min(wq, (left + g.inW() - cp + sW - 1) / sW));
            }
            // Garbage lanes past the grid may read beyond the phases; they only feed dropped outputs.
            bufferFloats = Math.max(sH * sW * phaseSize, maxOffset + gridEnd);
        }

        void clear() {
            in = null;
            out = null;
            ctx = null;
            weights = null;
            bias = null;
        }

        @Override
        public void run(int chunk, int from, int to) {
            float[] scratch = ctx.scratch(chunk, bufferFloats + gridEnd);
            int channels = g.outChannels();
            int inPlane = g.inH() * g.inW();
            int outPlane = g.outH() * g.outW();
            int taps = g.kernelH() * g.kernelW();
            boolean vectorAct = VectorGemm.VectorActivation.supports(act);
            boolean strided = g.strideH() != 1 || g.strideW() != 1;
            // The padding cells are the same for every plane and nothing else writes them: zero them once.
            Arrays.fill(scratch, 0, g.strideH() * g.strideW() * phaseSize, 0f);
            for (int plane = from; plane < to; plane++) {
                int c = plane % channels;
                if (strided) {
                    splitPlane(scratch, plane * inPlane);
                } else {
                    padPlane(scratch, plane * inPlane);
                }
                float b = bias == null ? 0f : bias[c];
                convolve(scratch, weights, c * taps, taps, tapOffsets, b, act, vectorAct, bufferFloats, gridEnd);
                int outOff = plane * outPlane;
                for (int oh = 0; oh < g.outH(); oh++) {
                    System.arraycopy(scratch, bufferFloats + oh * wq, out, outOff + oh * g.outW(), g.outW());
                }
            }
        }

        /** Stride 1: the input rows into the zero-bordered plane, rows {@code wp} apart. */
        private void padPlane(float[] buf, int inOff) {
            int inW = g.inW();
            int dst = g.padTop() * wp + g.padLeft();
            for (int ih = 0; ih < g.inH(); ih++, dst += wp) {
                System.arraycopy(in, inOff + ih * inW, buf, dst, inW);
            }
        }

        /**
         * Any stride: input element (ih, iw), padded (r, c) = (ih + padTop, iw + padLeft), goes to phase
         * (r mod sH, c mod sW) at (r / sH, c / sW); the padding cells stay zero.
         */
        private void splitPlane(float[] buf, int inOff) {
            int sH = g.strideH();
            int sW = g.strideW();
            int inW = g.inW();
            int left = g.padLeft();
            // Padded row r = padTop + ih is row r / sH of row phase r mod sH, kept as a running pair.
            int rowPhase = g.padTop() % sH;
            int phaseRow = g.padTop() / sH;
            for (int ih = 0; ih < g.inH(); ih++) {
                int rowBase = rowPhase * sW * phaseSize + phaseRow * wq;
                if (++rowPhase == sH) {
                    rowPhase = 0;
                    phaseRow++;
                }
                int src = inOff + ih * inW - left;
                // Column phase cp holds padded columns cp, cp + sW, ...: a strided read, a contiguous write.
                for (int cp = 0; cp < sW; cp++) {
                    int dst = rowBase + cp * phaseSize;
                    int jFirst = colFirst[cp];
                    int jEnd = colEnd[cp];
                    if (sW == 2) {
                        copyEveryOther(in, src + cp, buf, dst, jFirst, jEnd);
                    } else {
                        for (int j = jFirst; j < jEnd; j++) {
                            buf[dst + j] = in[src + j * sW + cp];
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code dst[d + j] = src[s + 2 * j]} for {@code j} in {@code [from, to)}. Two contiguous loads, two
     * lane permutations and a blend per vector of output (the vector gather this replaces was about a
     * quarter slower on the wide stride-2 layers);
     * a row tail shorter than a vector is redone as the last whole vector of the row (the overlapping
     * lanes get the same values again), so only rows shorter than a vector, or a vector whose loads
     * would pass the end of {@code src}, take the scalar loop (one whole vector into spare lanes plus a
     * copy of the valid ones was slower for the 7-wide rows of a 14 x 14 input).
     */
    private static void copyEveryOther(float[] src, int s, float[] dst, int d, int from, int to) {
        int j = from;
        if (to - from >= L) {
            for (; j + L <= to && s + 2 * (j + L) <= src.length; j += L) {
                evens(src, s + 2 * j).intoArray(dst, d + j);
            }
            if (j < to && s + 2 * to <= src.length) {
                evens(src, s + 2 * (to - L)).intoArray(dst, d + to - L);
                j = to;
            }
        }
        for (; j < to; j++) {
            dst[d + j] = src[s + 2 * j];
        }
    }

    /** {@code src[at], src[at + 2], ..., src[at + 2 * (L - 1)]}; needs {@code at + 2 * L <= src.length}. */
    private static FloatVector evens(float[] src, int at) {
        FloatVector lo = FloatVector.fromArray(VectorGemm.SPECIES, src, at).rearrange(EVENS);
        FloatVector hi = FloatVector.fromArray(VectorGemm.SPECIES, src, at + L).rearrange(EVENS);
        return lo.blend(hi, UPPER_HALF);
    }

    /**
     * Lane i takes index 2i mod L: the lower half of the lanes gets the even lanes of one vector, the
     * upper half those of the next. Both shuffles hold only in-range indexes and the blend mask is a
     * constant: on Java 17 a two-input rearrange, or any shuffle with out-of-range indexes, is rebuilt
     * on every call (not intrinsified, and it allocates).
     */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(VectorGemm.SPECIES, i -> 2 * i % L);
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(VectorGemm.SPECIES,
            ((1L << L) - 1) & ~((1L << (L / 2)) - 1));

    /**
     * The output grid of one plane, stored at {@code buf[gridBase..]}: the sum over taps of weight times
     * the phase buffer at the tap's offset, four vectors at a time where possible, then bias and
     * activation in a second pass over the (cache-resident) grid. Each sum is stored by the method
     * that holds it: a vector passed to a method C2 does not inline would be boxed.
     */
    private static void convolve(float[] buf, float[] weights, int wOff, int taps, int[] tapOffsets, float b,
                                 Activation act, boolean vectorAct, int gridBase, int gridEnd) {
        int q = 0;
        for (; q + 4 * L <= gridEnd; q += 4 * L) {
            sum4(buf, weights, wOff, taps, tapOffsets, q, gridBase);
        }
        for (; q < gridEnd; q += L) {
            sum1(buf, weights, wOff, taps, tapOffsets, q, gridBase);
        }
        if (vectorAct) {
            for (int i = gridBase; i < gridBase + gridEnd; i += L) {
                FloatVector v = FloatVector.fromArray(VectorGemm.SPECIES, buf, i).add(b);
                VectorGemm.VectorActivation.apply(act, v).intoArray(buf, i);
            }
        } else {
            for (int i = gridBase; i < gridBase + gridEnd; i++) {
                buf[i] = act.apply(buf[i] + b);
            }
        }
    }

    private static void sum4(float[] buf, float[] weights, int wOff, int taps, int[] tapOffsets, int q,
                             int gridBase) {
        FloatVector a0 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a1 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a2 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a3 = FloatVector.zero(VectorGemm.SPECIES);
        for (int t = 0; t < taps; t++) {
            int p = tapOffsets[t] + q;
            FloatVector wv = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + t]);
            a0 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p).fma(wv, a0);
            a1 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + L).fma(wv, a1);
            a2 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + 2 * L).fma(wv, a2);
            a3 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + 3 * L).fma(wv, a3);
        }
        int at = gridBase + q;
        a0.intoArray(buf, at);
        a1.intoArray(buf, at + L);
        a2.intoArray(buf, at + 2 * L);
        a3.intoArray(buf, at + 3 * L);
    }

    private static void sum1(float[] buf, float[] weights, int wOff, int taps, int[] tapOffsets, int q,
                             int gridBase) {
        FloatVector a0 = FloatVector.zero(VectorGemm.SPECIES);
        for (int t = 0; t < taps; t++) {
            a0 = FloatVector.fromArray(VectorGemm.SPECIES, buf, tapOffsets[t] + q)
                    .fma(FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + t]), a0);
        }
        a0.intoArray(buf, gridBase + q);
    }
}
