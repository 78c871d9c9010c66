package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Direct depthwise convolution on the Vector API (one input and one output channel per group), any
 * kernel size, stride, padding and dilation.
 *
 * <p>Each input plane is copied once into a per-chunk buffer, zero-padded to {@code Hp x Wp} and split
 * into {@code strideH * strideW} phase planes of {@code Hq x Wq} ({@code Hq = ceil(Hp / strideH)},
 * {@code Wq = ceil(Wp / strideW)}): phase {@code (r, c)} holds the padded elements whose row is
 * {@code r} and column {@code c} modulo the strides (for stride 1 there is one phase, the padded plane
 * itself; a column stride of 2 is split two vectors at a time by lane permutations). The output is
 * then computed on a grid of row pitch {@code Wq}: output {@code (oh, ow)} reads, for tap
 * {@code (kh, kw)}, element {@code (oh + kh*dH / sH) * Wq + ow + kw*dW / sW} of phase
 * {@code (kh*dH mod sH, kw*dW mod sW)}, which is the tap's offset plus the output's grid index. So
 * every tap is one unmasked vector load at a fixed offset from the output index, over the whole plane
 * at once: no per-row edge cases and, for the small planes of late layers (7 x 7, 14 x 14), no
 * half-empty vector per row. Bias and activation are applied as each grid vector is summed; columns
 * {@code outW..Wq-1} of each grid row are garbage and are dropped when the rows are copied out.
 * Stride-1 3 x 3 layers at least a vector wide skip the grid: {@link #slide3x3} sweeps the padded
 * plane row by row and stores straight into the output. Stride-2 3 x 3 layers skip the phases too:
 * {@link #halve3x3} takes the window sums at full resolution from the padded plane and keeps the even
 * lanes.
 *
 * <p>Per output element the taps are summed with fused multiply-adds in the reference's (kh, kw)
 * order, then the bias is added and the activation applied (non-finite garbage lanes are harmless);
 * padding adds exact zeros. Planes are independent and split over the chunks, so results never depend
 * on the thread count. The loop body is this context's reusable {@link Body}: no allocation per call.
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
        private int mode;
        private float[] in;
        private float[] out;
        private ComputeContext ctx;
        private int hp;
        private int wp;
        private int hq;
        private int wq;
        private int phaseStride;
        private int phasesEnd;
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
            this.mode = fusedMode(act);
            this.in = in;
            this.out = out;
            this.ctx = ctx;
            int sH = g.strideH();
            int sW = g.strideW();
            hp = Math.max(g.padTop() + g.inH(), (g.outH() - 1) * sH + (g.kernelH() - 1) * g.dilationH() + 1);
            wp = Math.max(g.padLeft() + g.inW(), (g.outW() - 1) * sW + (g.kernelW() - 1) * g.dilationW() + 1);
            hq = (hp + sH - 1) / sH;
            wq = (wp + sW - 1) / sW;
            // Each phase is followed by a gap that takes the whole-vector stores running past its last row.
            phaseStride = hq * wq + 2 * L;
            phasesEnd = sH * sW * phaseStride;
            int grid = g.outH() * wq;
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
                    int offset = ((r % sH) * sW + c % sW) * phaseStride + (r / sH) * wq + c / sW;
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
            bufferFloats = Math.max(phasesEnd, maxOffset + gridEnd);
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
            // The grid is read and written a whole vector past its end by the copy out.
            float[] scratch = ctx.scratch(chunk, bufferFloats + gridEnd + L);
            int channels = g.outChannels();
            int inPlane = g.inH() * g.inW();
            int outPlane = g.outH() * g.outW();
            int taps = g.kernelH() * g.kernelW();
            boolean strided = g.strideH() != 1 || g.strideW() != 1;
            // Padding cells are zeroed once here; the copies in write only input cells, or put back the zeros.
            Arrays.fill(scratch, 0, phasesEnd, 0f);
            boolean sliding = slides(g);
            boolean halving = halves(g);
            for (int plane = from; plane < to; plane++) {
                int c = plane % channels;
                int image = plane / channels;
                int outOff = g.outOffset(image, c);
                // Spill stops at the chunk's last plane and at the image's last channel: past that lie
                // planes of other chunks, or (in a slice) of other convolutions or images.
                int outLimit = image == (to - 1) / channels ? g.outOffset(image, (to - 1) % channels + 1)
                        : g.outOffset(image, channels);
                if (halving) {
                    padPlane(scratch, plane * inPlane);
                    float b = bias == null ? 0f : bias[c];
                    halve3x3(scratch, wp, bufferFloats, weights, c * taps, mode == MODE_SCALAR ? 0f : b, mode,
                            act.alpha(), act.beta(), out, outOff, g.outH(), g.outW());
                    if (mode == MODE_SCALAR) {
                        for (int i = outOff; i < outOff + outPlane; i++) {
                            out[i] = act.apply(out[i] + b);
                        }
                    }
                    continue;
                }
                if (g.strideW() == 2) {
                    splitPlaneByPairs(scratch, plane * inPlane);
                } else if (strided) {
                    splitPlane(scratch, plane * inPlane);
                } else {
                    padPlane(scratch, plane * inPlane);
                }
                float b = bias == null ? 0f : bias[c];
                if (sliding) {
                    slide3x3(scratch, wq, weights, c * taps, mode == MODE_SCALAR ? 0f : b, mode, act.alpha(),
                            act.beta(), out, outOff, g.outH(), g.outW());
                    if (mode == MODE_SCALAR) {
                        for (int i = outOff; i < outOff + outPlane; i++) {
                            out[i] = act.apply(out[i] + b);
                        }
                    }
                    continue;
                }
                convolve(scratch, weights, c * taps, taps, tapOffsets, b, mode, act.alpha(), act.beta(),
                        bufferFloats, gridEnd);
                if (mode == MODE_SCALAR) {
                    for (int i = bufferFloats; i < bufferFloats + gridEnd; i++) {
                        scratch[i] = act.apply(scratch[i] + b);
                    }
                }
                copyOut(scratch, outOff, outLimit);
            }
        }

        /**
         * The grid rows into the output plane at {@code outOff}, a whole vector at a time: a row's last
         * vector runs into the following output rows (or the next plane), which are written after it,
         * so it only has to stop short of {@code outLimit}, the end of this chunk's planes.
         */
        private void copyOut(float[] buf, int outOff, int outLimit) {
            int outW = g.outW();
            for (int oh = 0; oh < g.outH(); oh++) {
                int s = bufferFloats + oh * wq;
                int d = outOff + oh * outW;
                for (int x = 0; x < outW; x += L) {
                    if (d + x + L <= outLimit) {
                        FloatVector.fromArray(VectorGemm.SPECIES, buf, s + x).intoArray(out, d + x);
                    } else {
                        System.arraycopy(buf, s + x, out, d + x, outW - x);
                        break;
                    }
                }
            }
        }

        /** The input rows into the zero-bordered plane, rows {@code wp} apart. */
        private void padPlane(float[] buf, int inOff) {
            int inW = g.inW();
            int dst = g.padTop() * wp + g.padLeft();
            for (int ih = 0; ih < g.inH(); ih++, dst += wp) {
                System.arraycopy(in, inOff + ih * inW, buf, dst, inW);
            }
        }

        /**
         * Column stride 2 (any row stride): each input row goes to its row phase, even columns to one
         * column phase and odd columns to the other, 2L columns at a time (two loads, two lane
         * permutations and a blend per phase vector). The stores are whole vectors: past a row's last
         * input they write over its right padding and into the rows after it, so each row's padding is
         * put back after the row is written, a later row rewrites what ran into it, and the rows past the
         * last written row of each phase (padding, then the phase's gap) are zeroed at the end.
         */
        private void splitPlaneByPairs(float[] buf, int inOff) {
            int sH = g.strideH();
            int inW = g.inW();
            int left = g.padLeft();
            int evenPhase = left & 1;
            int evenShift = left >> 1;
            int oddShift = (left + 1) >> 1;
            int lastWhole = in.length - 2 * L;
            int rowPhase = g.padTop() % sH;
            int phaseRow = g.padTop() / sH;
            for (int ih = 0; ih < g.inH(); ih++) {
                int rowBase = rowPhase * 2 * phaseStride + phaseRow * wq;
                if (++rowPhase == sH) {
                    rowPhase = 0;
                    phaseRow++;
                }
                int src = inOff + ih * inW;
                int e = rowBase + evenPhase * phaseStride + evenShift;
                int o = rowBase + (evenPhase ^ 1) * phaseStride + oddShift;
                for (int k = 0; k < inW; k += 2 * L) {
                    if (src + k <= lastWhole) {
                        FloatVector v0 = FloatVector.fromArray(VectorGemm.SPECIES, in, src + k);
                        FloatVector v1 = FloatVector.fromArray(VectorGemm.SPECIES, in, src + k + L);
                        v0.rearrange(EVENS).blend(v1.rearrange(EVENS), UPPER_HALF).intoArray(buf, e + k / 2);
                        v0.rearrange(ODDS).blend(v1.rearrange(ODDS), UPPER_HALF).intoArray(buf, o + k / 2);
                    } else {
                        for (int i = k; i < inW; i += 2) {
                            buf[e + i / 2] = in[src + i];
                        }
                        for (int i = k + 1; i < inW; i += 2) {
                            buf[o + i / 2] = in[src + i];
                        }
                    }
                }
                for (int cp = 0; cp < 2; cp++) {
                    int row = rowBase + cp * phaseStride;
                    // One or two cells each in practice: plain stores, no call.
                    for (int j = 0; j < colFirst[cp]; j++) {
                        buf[row + j] = 0f;
                    }
                    for (int j = colEnd[cp]; j < wq; j++) {
                        buf[row + j] = 0f;
                    }
                }
            }
            // Rows past the last input row of each row phase: padding and the gap, all zero again.
            for (int rp = 0; rp < sH; rp++) {
                int lastPadded = g.padTop() + g.inH() - 1;
                int rows = lastPadded < rp ? 0 : (lastPadded - rp) / sH + 1;
                for (int cp = 0; cp < 2; cp++) {
                    int base = (rp * 2 + cp) * phaseStride;
                    Arrays.fill(buf, base + rows * wq, base + phaseStride, 0f);
                }
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
                int rowBase = rowPhase * sW * phaseStride + phaseRow * wq;
                if (++rowPhase == sH) {
                    rowPhase = 0;
                    phaseRow++;
                }
                int src = inOff + ih * inW - left;
                // Column phase cp holds padded columns cp, cp + sW, ...: a strided read, a contiguous write.
                for (int cp = 0; cp < sW; cp++) {
                    int dst = rowBase + cp * phaseStride;
                    for (int j = colFirst[cp]; j < colEnd[cp]; j++) {
                        buf[dst + j] = in[src + j * sW + cp];
                    }
                }
            }
        }
    }

    /**
     * Lane i takes index 2i mod L (EVENS) or 2i + 1 mod L (ODDS): the lower half of the lanes gets the
     * even (odd) lanes of one vector, the upper half those of the next after the blend. The shuffles
     * hold only in-range indexes and the blend mask is a constant: on Java 17 a two-input rearrange, or
     * any shuffle with out-of-range indexes, is rebuilt on every call (not intrinsified, and it
     * allocates). A vector gather instead was about a quarter slower on the wide stride-2 layers.
     */
    static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(VectorGemm.SPECIES, i -> 2 * i % L);
    private static final VectorShuffle<Float> ODDS = VectorShuffle.fromOp(VectorGemm.SPECIES, i -> (2 * i + 1) % L);
    static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(VectorGemm.SPECIES,
            ((1L << L) - 1) & ~((1L << (L / 2)) - 1));

    /**
     * Outputs narrower than a vector stay on the grid: there a strip would be mostly empty lanes, and on
     * 7 x 7 and 14 x 14 planes (JMH {@code DepthwiseBench}) the grid was as fast or faster.
     */
    static final int SLIDE_MIN_WIDTH = L;

    /**
     * True for the geometries {@link #slide3x3} computes: stride 1, 3 x 3, no dilation (the padded
     * plane is then the only phase and its rows are {@code wq} apart).
     */
    static boolean slides(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.kernelH() == 3 && g.kernelW() == 3 && g.dilationH() == 1
                && g.dilationW() == 1 && g.outW() >= SLIDE_MIN_WIDTH;
    }

    /** True for the geometries {@link #halve3x3} computes: stride 2, 3 x 3, no dilation. */
    static boolean halves(ConvGeometry g) {
        return g.strideH() == 2 && g.strideW() == 2 && g.kernelH() == 3 && g.kernelW() == 3 && g.dilationH() == 1
                && g.dilationW() == 1;
    }

    /**
     * Stride-2 3 x 3 depthwise convolution of one zero-padded plane ({@code buf[0..]}, rows {@code wp}
     * apart) straight into the output plane at {@code outOff}, with bias and activation (none for
     * {@link #MODE_SCALAR}). For a vector of outputs of a row, the window sums at the 2L consecutive
     * padded columns from its first window's are taken as two vectors (nine fused multiply-adds each,
     * in the reference's (kh, kw) order) and the even lanes picked by lane permutations
     * ({@link #EVENS}). That is twice the multiply-adds of the phase split, but the input is never split
     * into phases, which took most of the layer (0.2 ns per input float). The last vector of a row ends
     * at the row's end, overlapping the one before. A row narrower than a vector is stored as one whole
     * vector when the plane's later rows take the lanes past its end (they are written after it);
     * otherwise through {@code buf[tmp..]}. Lanes past the row read past it (at most 2L + 1 floats past
     * the plane's last row, into the buffer's gap), and are dropped.
     */
    private static void halve3x3(float[] buf, int wp, int tmp, float[] weights, int wOff, float bias, int mode,
                                 float alpha, float beta, float[] out, int outOff, int outH, int outW) {
        FloatVector zero = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector w00 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff]);
        FloatVector w01 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 1]);
        FloatVector w02 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 2]);
        FloatVector w10 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 3]);
        FloatVector w11 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 4]);
        FloatVector w12 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 5]);
        FloatVector w20 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 6]);
        FloatVector w21 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 7]);
        FloatVector w22 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 8]);
        for (int oh = 0; oh < outH; oh++) {
            int row0 = 2 * oh * wp;
            int row1 = row0 + wp;
            int row2 = row1 + wp;
            int dst = outOff + oh * outW;
            for (int x = 0; x < outW; x += L) {
                int at = Math.max(0, Math.min(x, outW - L));
                int p = 2 * at;
                FloatVector a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row0 + p).fma(w00, zero);
                FloatVector b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row0 + p + L).fma(w00, zero);
                a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row0 + p + 1).fma(w01, a);
                b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row0 + p + L + 1).fma(w01, b);
                a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row0 + p + 2).fma(w02, a);
                b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row0 + p + L + 2).fma(w02, b);
                a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row1 + p).fma(w10, a);
                b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row1 + p + L).fma(w10, b);
                a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row1 + p + 1).fma(w11, a);
                b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row1 + p + L + 1).fma(w11, b);
                a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row1 + p + 2).fma(w12, a);
                b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row1 + p + L + 2).fma(w12, b);
                a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row2 + p).fma(w20, a);
                b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row2 + p + L).fma(w20, b);
                a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row2 + p + 1).fma(w21, a);
                b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row2 + p + L + 1).fma(w21, b);
                a = FloatVector.fromArray(VectorGemm.SPECIES, buf, row2 + p + 2).fma(w22, a);
                b = FloatVector.fromArray(VectorGemm.SPECIES, buf, row2 + p + L + 2).fma(w22, b);
                FloatVector v = a.rearrange(EVENS).blend(b.rearrange(EVENS), UPPER_HALF).add(bias);
                if (mode == MODE_RELU) {
                    v = zero.blend(v, v.compare(VectorOperators.GT, 0f));
                } else if (mode == MODE_CLIP) {
                    v = v.blend(alpha, v.compare(VectorOperators.LT, alpha));
                    v = v.blend(beta, v.compare(VectorOperators.GT, beta));
                } else if (mode == MODE_LEAKY) {
                    v = v.blend(v.mul(alpha), v.compare(VectorOperators.LT, 0f));
                }
                if (outW >= L || (outH - oh) * outW >= L) {
                    v.intoArray(out, dst + at);
                } else {
                    v.intoArray(buf, tmp);
                    System.arraycopy(buf, tmp, out, dst, outW);
                }
            }
        }
    }

    /**
     * Stride-1 3 x 3 depthwise convolution of one zero-padded plane ({@code buf[0..]}, rows {@code wq}
     * apart) straight into the output plane at {@code outOff}, with bias and activation (none for
     * {@link #MODE_SCALAR}). Column strips of the output are swept down the plane: each
     * padded input row is loaded once per strip (three shifted vectors per strip vector) and feeds the
     * three output rows that use it, as kernel row 2 of the row it completes, row 1 of the next and row
     * 0 of the one after. That is one load for three multiply-adds, where summing each output's nine
     * taps on its own loads nine vectors for nine, and those loads (unaligned, so each crosses a cache
     * line) were the limit. Each output's taps are still summed in the reference's (kh, kw) order.
     * Strips are one vector wide on outputs narrower than two. The last strip of a row ends at the
     * row's end, overlapping the one before (the shared columns get the same values again), so nothing
     * is written outside the plane's rows.
     */
    private static void slide3x3(float[] buf, int wq, float[] weights, int wOff, float bias, int mode, float alpha,
                                 float beta, float[] out, int outOff, int outH, int outW) {
        if (outW >= 2 * L) {
            for (int x = 0; x < outW; x += 2 * L) {
                slideTwo(buf, wq, weights, wOff, bias, mode, alpha, beta, out, outOff, outH, outW,
                        Math.min(x, outW - 2 * L));
            }
        } else {
            for (int x = 0; x < outW; x += L) {
                slideOne(buf, wq, weights, wOff, bias, mode, alpha, beta, out, outOff, outH, outW,
                        Math.min(x, outW - L));
            }
        }
    }

    /** A two-vector strip at column {@code x} (needs {@code x + 2L <= outW}). */
    private static void slideTwo(float[] buf, int wq, float[] weights, int wOff, float bias, int mode, float alpha,
                                 float beta, float[] out, int outOff, int outH, int outW, int x) {
        FloatVector zero = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector w00 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff]);
        FloatVector w01 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 1]);
        FloatVector w02 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 2]);
        FloatVector w10 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 3]);
        FloatVector w11 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 4]);
        FloatVector w12 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 5]);
        FloatVector w20 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 6]);
        FloatVector w21 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 7]);
        FloatVector w22 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 8]);
        // done* need kernel row 2 (then they are complete), next* kernel rows 1 and 2.
        FloatVector done0 = zero;
        FloatVector done1 = zero;
        FloatVector next0 = zero;
        FloatVector next1 = zero;
        int at = x;
        int store = outOff + x - 2 * outW;
        for (int r = 0; r < outH + 2; r++, at += wq, store += outW) {
            FloatVector x0 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at);
            FloatVector x1 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at + 1);
            FloatVector x2 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at + 2);
            FloatVector y0 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at + L);
            FloatVector y1 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at + L + 1);
            FloatVector y2 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at + L + 2);
            FloatVector a0 = x2.fma(w22, x1.fma(w21, x0.fma(w20, done0)));
            FloatVector a1 = y2.fma(w22, y1.fma(w21, y0.fma(w20, done1)));
            done0 = x2.fma(w12, x1.fma(w11, x0.fma(w10, next0)));
            done1 = y2.fma(w12, y1.fma(w11, y0.fma(w10, next1)));
            next0 = x2.fma(w02, x1.fma(w01, x0.fma(w00, zero)));
            next1 = y2.fma(w02, y1.fma(w01, y0.fma(w00, zero)));
            if (r >= 2) {
                a0 = a0.add(bias);
                a1 = a1.add(bias);
                if (mode == MODE_RELU) {
                    a0 = zero.blend(a0, a0.compare(VectorOperators.GT, 0f));
                    a1 = zero.blend(a1, a1.compare(VectorOperators.GT, 0f));
                } else if (mode == MODE_CLIP) {
                    a0 = a0.blend(alpha, a0.compare(VectorOperators.LT, alpha));
                    a1 = a1.blend(alpha, a1.compare(VectorOperators.LT, alpha));
                    a0 = a0.blend(beta, a0.compare(VectorOperators.GT, beta));
                    a1 = a1.blend(beta, a1.compare(VectorOperators.GT, beta));
                } else if (mode == MODE_LEAKY) {
                    a0 = a0.blend(a0.mul(alpha), a0.compare(VectorOperators.LT, 0f));
                    a1 = a1.blend(a1.mul(alpha), a1.compare(VectorOperators.LT, 0f));
                }
                a0.intoArray(out, store);
                a1.intoArray(out, store + L);
            }
        }
    }

    /** A one-vector strip at column {@code x} (needs {@code x + L <= outW}). */
    private static void slideOne(float[] buf, int wq, float[] weights, int wOff, float bias, int mode, float alpha,
                                 float beta, float[] out, int outOff, int outH, int outW, int x) {
        FloatVector zero = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector w00 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff]);
        FloatVector w01 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 1]);
        FloatVector w02 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 2]);
        FloatVector w10 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 3]);
        FloatVector w11 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 4]);
        FloatVector w12 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 5]);
        FloatVector w20 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 6]);
        FloatVector w21 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 7]);
        FloatVector w22 = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + 8]);
        FloatVector done0 = zero;
        FloatVector next0 = zero;
        int at = x;
        int store = outOff + x - 2 * outW;
        for (int r = 0; r < outH + 2; r++, at += wq, store += outW) {
            FloatVector x0 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at);
            FloatVector x1 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at + 1);
            FloatVector x2 = FloatVector.fromArray(VectorGemm.SPECIES, buf, at + 2);
            FloatVector a0 = x2.fma(w22, x1.fma(w21, x0.fma(w20, done0)));
            done0 = x2.fma(w12, x1.fma(w11, x0.fma(w10, next0)));
            next0 = x2.fma(w02, x1.fma(w01, x0.fma(w00, zero)));
            if (r >= 2) {
                a0 = a0.add(bias);
                if (mode == MODE_RELU) {
                    a0 = zero.blend(a0, a0.compare(VectorOperators.GT, 0f));
                } else if (mode == MODE_CLIP) {
                    a0 = a0.blend(alpha, a0.compare(VectorOperators.LT, alpha));
                    a0 = a0.blend(beta, a0.compare(VectorOperators.GT, beta));
                } else if (mode == MODE_LEAKY) {
                    a0 = a0.blend(a0.mul(alpha), a0.compare(VectorOperators.LT, 0f));
                }
                a0.intoArray(out, store);
            }
        }
    }

    /** Activations fused into the sums: stored as computed, or in a scalar pass after them (sigmoid). */
    private static final int MODE_NONE = 0;
    private static final int MODE_RELU = 1;
    private static final int MODE_CLIP = 2;
    private static final int MODE_LEAKY = 3;
    private static final int MODE_SCALAR = -1;

    static int fusedMode(Activation act) {
        switch (act.kind()) {
            case NONE:
                return MODE_NONE;
            case RELU:
                return MODE_RELU;
            case CLIP:
                return MODE_CLIP;
            case LEAKY_RELU:
                return MODE_LEAKY;
            default:
                return MODE_SCALAR;
        }
    }

    /**
     * The output grid of one plane, stored at {@code buf[gridBase..]}: the sum over taps of weight times
     * the phase buffer at the tap's offset, four vectors at a time where possible, plus the bias, with
     * the activation applied (for {@link #MODE_SCALAR} the raw sums, for a scalar pass). The activation
     * is written out in each sum method, with the same lane operations as
     * {@link VectorGemm.VectorActivation}: a vector passed to a method C2 does not inline would be boxed.
     */
    private static void convolve(float[] buf, float[] weights, int wOff, int taps, int[] tapOffsets, float b,
                                 int mode, float alpha, float beta, int gridBase, int gridEnd) {
        int q = 0;
        for (; q + 8 * L <= gridEnd; q += 8 * L) {
            sum8(buf, weights, wOff, taps, tapOffsets, q, gridBase, b, mode, alpha, beta);
        }
        for (; q + 4 * L <= gridEnd; q += 4 * L) {
            sum4(buf, weights, wOff, taps, tapOffsets, q, gridBase, b, mode, alpha, beta);
        }
        for (; q < gridEnd; q += L) {
            sum1(buf, weights, wOff, taps, tapOffsets, q, gridBase, b, mode, alpha, beta);
        }
    }

    /**
     * Eight output vectors: eight independent chains of fused multiply-adds keep both FMA units busy,
     * where four chains wait out each multiply-add's latency.
     */
    private static void sum8(float[] buf, float[] weights, int wOff, int taps, int[] tapOffsets, int q,
                             int gridBase, float bias, int mode, float alpha, float beta) {
        FloatVector a0 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a1 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a2 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a3 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a4 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a5 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a6 = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector a7 = FloatVector.zero(VectorGemm.SPECIES);
        for (int t = 0; t < taps; t++) {
            int p = tapOffsets[t] + q;
            FloatVector wv = FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + t]);
            a0 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p).fma(wv, a0);
            a1 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + L).fma(wv, a1);
            a2 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + 2 * L).fma(wv, a2);
            a3 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + 3 * L).fma(wv, a3);
            a4 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + 4 * L).fma(wv, a4);
            a5 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + 5 * L).fma(wv, a5);
            a6 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + 6 * L).fma(wv, a6);
            a7 = FloatVector.fromArray(VectorGemm.SPECIES, buf, p + 7 * L).fma(wv, a7);
        }
        if (mode != MODE_SCALAR) {
            a0 = a0.add(bias);
            a1 = a1.add(bias);
            a2 = a2.add(bias);
            a3 = a3.add(bias);
            a4 = a4.add(bias);
            a5 = a5.add(bias);
            a6 = a6.add(bias);
            a7 = a7.add(bias);
        }
        if (mode == MODE_RELU) {
            FloatVector zero = FloatVector.zero(VectorGemm.SPECIES);
            a0 = zero.blend(a0, a0.compare(VectorOperators.GT, 0f));
            a1 = zero.blend(a1, a1.compare(VectorOperators.GT, 0f));
            a2 = zero.blend(a2, a2.compare(VectorOperators.GT, 0f));
            a3 = zero.blend(a3, a3.compare(VectorOperators.GT, 0f));
            a4 = zero.blend(a4, a4.compare(VectorOperators.GT, 0f));
            a5 = zero.blend(a5, a5.compare(VectorOperators.GT, 0f));
            a6 = zero.blend(a6, a6.compare(VectorOperators.GT, 0f));
            a7 = zero.blend(a7, a7.compare(VectorOperators.GT, 0f));
        } else if (mode == MODE_CLIP) {
            a0 = a0.blend(alpha, a0.compare(VectorOperators.LT, alpha));
            a1 = a1.blend(alpha, a1.compare(VectorOperators.LT, alpha));
            a2 = a2.blend(alpha, a2.compare(VectorOperators.LT, alpha));
            a3 = a3.blend(alpha, a3.compare(VectorOperators.LT, alpha));
            a4 = a4.blend(alpha, a4.compare(VectorOperators.LT, alpha));
            a5 = a5.blend(alpha, a5.compare(VectorOperators.LT, alpha));
            a6 = a6.blend(alpha, a6.compare(VectorOperators.LT, alpha));
            a7 = a7.blend(alpha, a7.compare(VectorOperators.LT, alpha));
            a0 = a0.blend(beta, a0.compare(VectorOperators.GT, beta));
            a1 = a1.blend(beta, a1.compare(VectorOperators.GT, beta));
            a2 = a2.blend(beta, a2.compare(VectorOperators.GT, beta));
            a3 = a3.blend(beta, a3.compare(VectorOperators.GT, beta));
            a4 = a4.blend(beta, a4.compare(VectorOperators.GT, beta));
            a5 = a5.blend(beta, a5.compare(VectorOperators.GT, beta));
            a6 = a6.blend(beta, a6.compare(VectorOperators.GT, beta));
            a7 = a7.blend(beta, a7.compare(VectorOperators.GT, beta));
        } else if (mode == MODE_LEAKY) {
            a0 = a0.blend(a0.mul(alpha), a0.compare(VectorOperators.LT, 0f));
            a1 = a1.blend(a1.mul(alpha), a1.compare(VectorOperators.LT, 0f));
            a2 = a2.blend(a2.mul(alpha), a2.compare(VectorOperators.LT, 0f));
            a3 = a3.blend(a3.mul(alpha), a3.compare(VectorOperators.LT, 0f));
            a4 = a4.blend(a4.mul(alpha), a4.compare(VectorOperators.LT, 0f));
            a5 = a5.blend(a5.mul(alpha), a5.compare(VectorOperators.LT, 0f));
            a6 = a6.blend(a6.mul(alpha), a6.compare(VectorOperators.LT, 0f));
            a7 = a7.blend(a7.mul(alpha), a7.compare(VectorOperators.LT, 0f));
        }
        int at = gridBase + q;
        a0.intoArray(buf, at);
        a1.intoArray(buf, at + L);
        a2.intoArray(buf, at + 2 * L);
        a3.intoArray(buf, at + 3 * L);
        a4.intoArray(buf, at + 4 * L);
        a5.intoArray(buf, at + 5 * L);
        a6.intoArray(buf, at + 6 * L);
        a7.intoArray(buf, at + 7 * L);
    }

    private static void sum4(float[] buf, float[] weights, int wOff, int taps, int[] tapOffsets, int q,
                             int gridBase, float bias, int mode, float alpha, float beta) {
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
        if (mode != MODE_SCALAR) {
            a0 = a0.add(bias);
            a1 = a1.add(bias);
            a2 = a2.add(bias);
            a3 = a3.add(bias);
        }
        if (mode == MODE_RELU) {
            FloatVector zero = FloatVector.zero(VectorGemm.SPECIES);
            a0 = zero.blend(a0, a0.compare(VectorOperators.GT, 0f));
            a1 = zero.blend(a1, a1.compare(VectorOperators.GT, 0f));
            a2 = zero.blend(a2, a2.compare(VectorOperators.GT, 0f));
            a3 = zero.blend(a3, a3.compare(VectorOperators.GT, 0f));
        } else if (mode == MODE_CLIP) {
            a0 = a0.blend(alpha, a0.compare(VectorOperators.LT, alpha));
            a1 = a1.blend(alpha, a1.compare(VectorOperators.LT, alpha));
            a2 = a2.blend(alpha, a2.compare(VectorOperators.LT, alpha));
            a3 = a3.blend(alpha, a3.compare(VectorOperators.LT, alpha));
            a0 = a0.blend(beta, a0.compare(VectorOperators.GT, beta));
            a1 = a1.blend(beta, a1.compare(VectorOperators.GT, beta));
            a2 = a2.blend(beta, a2.compare(VectorOperators.GT, beta));
            a3 = a3.blend(beta, a3.compare(VectorOperators.GT, beta));
        } else if (mode == MODE_LEAKY) {
            a0 = a0.blend(a0.mul(alpha), a0.compare(VectorOperators.LT, 0f));
            a1 = a1.blend(a1.mul(alpha), a1.compare(VectorOperators.LT, 0f));
            a2 = a2.blend(a2.mul(alpha), a2.compare(VectorOperators.LT, 0f));
            a3 = a3.blend(a3.mul(alpha), a3.compare(VectorOperators.LT, 0f));
        }
        int at = gridBase + q;
        a0.intoArray(buf, at);
        a1.intoArray(buf, at + L);
        a2.intoArray(buf, at + 2 * L);
        a3.intoArray(buf, at + 3 * L);
    }

    private static void sum1(float[] buf, float[] weights, int wOff, int taps, int[] tapOffsets, int q,
                             int gridBase, float bias, int mode, float alpha, float beta) {
        FloatVector a0 = FloatVector.zero(VectorGemm.SPECIES);
        for (int t = 0; t < taps; t++) {
            a0 = FloatVector.fromArray(VectorGemm.SPECIES, buf, tapOffsets[t] + q)
                    .fma(FloatVector.broadcast(VectorGemm.SPECIES, weights[wOff + t]), a0);
        }
        if (mode != MODE_SCALAR) {
            a0 = a0.add(bias);
        }
        if (mode == MODE_RELU) {
            a0 = FloatVector.zero(VectorGemm.SPECIES).blend(a0, a0.compare(VectorOperators.GT, 0f));
        } else if (mode == MODE_CLIP) {
            a0 = a0.blend(alpha, a0.compare(VectorOperators.LT, alpha));
            a0 = a0.blend(beta, a0.compare(VectorOperators.GT, beta));
        } else if (mode == MODE_LEAKY) {
            a0 = a0.blend(a0.mul(alpha), a0.compare(VectorOperators.LT, 0f));
        }
        a0.intoArray(buf, gridBase + q);
    }
}
