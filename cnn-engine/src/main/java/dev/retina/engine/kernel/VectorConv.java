package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Convolution on the {@link VectorGemm} micro-kernel. Stride-1 layers that suit it run as an implicit
 * GEMM without im2col ({@link ImplicitConv}), deep layers with small output planes on an im2col matrix
 * packed once for all threads ({@link SharedIm2colConv}); the others as follows, per image and group:
 * {@code out (M x N) = W (M x K) * cols (K x N)} with M = output channels per group,
 * K = input channels per group * kernelH * kernelW and N = outH * outW, bias and activation fused in
 * the epilogue. The im2col matrix is never materialised: each column block is packed straight from
 * the input, copying whole runs of an input row at stride 1; a 1x1/stride-1/unpadded convolution
 * packs the input itself as the matrix.
 *
 * <p>Work is split over (image and group, column block, row-panel range) tasks; each output element
 * is one chain of fused multiply-adds over K whatever the split.
 */
final class VectorConv {

    private VectorConv() {
    }

    static void run(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                    ComputeContext ctx) {
        run(g, w, act, in, null, out, batch, ctx);
    }

    /**
     * {@code out = act(conv(in) + residual)}; {@code residual} (null for none) has the output's layout
     * and is added in the epilogue, before the activation.
     */
    static void run(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] residual, float[] out,
                    int batch, ComputeContext ctx) {
        if (ImplicitConv.suits(g)) {
            ImplicitConv.run(g, w, act, in, residual, out, batch, ctx);
        } else if (SharedIm2colConv.suits(g)) {
            SharedIm2colConv.run(g, w, act, in, residual, out, batch, ctx);
        } else {
            runIm2col(g, w, act, in, residual, out, batch, ctx);
        }
    }

    /**
     * The im2col path for any geometry: column blocks packed from the input, then the GEMM tile;
     * {@code residual} as in {@link #run(ConvGeometry, ConvWeights, Activation, float[], float[], float[], int,
     * ComputeContext)}.
     */
    static void runIm2col(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] residual, float[] out,
                          int batch, ComputeContext ctx) {
        Im2colBody body = ctx.body(Im2colBody.class, Im2colBody::new);
        body.set(g, w, act, in, residual, out, batch, ctx);
        try {
            VectorGemm.forTasks(ctx, body.images * body.colBlocks * body.rowGroups, g.macs() * batch, body);
        } finally {
            body.clear();
        }
    }

    /**
     * The loop body of {@link #runIm2col} over (image and group, column block, row group) tasks: one
     * instance per context ({@link ComputeContext#body}), so a call allocates nothing.
     */
    static final class Im2colBody implements ComputeContext.RangeBody {
        private final VectorGemm.TileEpilogue ep = new VectorGemm.TileEpilogue();
        private ConvGeometry g;
        private PackedMatrix[] packed;
        private float[] in;
        private float[] out;
        private ComputeContext ctx;
        private int k;
        private int n;
        private int nc;
        private int colBlocks;
        private int panels;
        private int images;
        private int rowGroups;
        private int scratchFloats;

        void set(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] residual, float[] out,
                 int batch, ComputeContext ctx) {
            this.g = g;
            this.packed = w.packedPerGroup();
            this.in = in;
            this.out = out;
            this.ctx = ctx;
            ep.set(w.bias(), act, residual);
            k = g.inPerGroup() * g.kernelH() * g.kernelW();
            n = g.outH() * g.outW();
            nc = VectorGemm.blockColumns(k, n);
            colBlocks = (n + nc - 1) / nc;
            panels = (g.outPerGroup() + VectorGemm.MR - 1) / VectorGemm.MR;
            images = batch * g.group();
            rowGroups = VectorGemm.rowGroups(panels, images * colBlocks, ctx.parallelism());
            scratchFloats = VectorGemm.scratchFloats(k, nc);
        }

        void clear() {
            g = null;
            packed = null;
            in = null;
            out = null;
            ctx = null;
            ep.clear();
        }

        @Override
        public void run(int chunk, int from, int to) {
            int m = g.outPerGroup();
            int inImage = g.inChannels() * g.inH() * g.inW();
            int inGroup = g.inPerGroup() * g.inH() * g.inW();
            boolean pointwise = g.isPointwise();
            float[] scratch = ctx.scratch(chunk, scratchFloats + VectorGemm.SPARE_FLOATS);
            int packedKey = -1;
            for (int t = from; t < to; t++) {
                int rowGroup = t % rowGroups;
                int key = t / rowGroups;
                int block = key % colBlocks;
                int image = key / colBlocks;
                int nIdx = image / g.group();
                int grp = image % g.group();
                int col0 = block * nc;
                int cols = Math.min(nc, n - col0);
                if (key != packedKey) {
                    int inOff = nIdx * inImage + grp * inGroup;
                    if (pointwise) {
                        VectorGemm.packMatrix(in, inOff, n, 1, col0, cols, k, scratch);
                    } else {
                        packIm2col(g, in, inOff, col0, cols, k, scratch);
                    }
                    packedKey = key;
                }
                int p0 = (int) ((long) panels * rowGroup / rowGroups);
                int p1 = (int) ((long) panels * (rowGroup + 1) / rowGroups);
                int outOff = g.outOffset(nIdx, grp * m);
                VectorGemm.block(packed[grp], p0, p1, scratch, k * nc, col0, cols, out, outOff, n, 1, ep, grp * m);
            }
        }
    }

    /**
     * Packs im2col columns {@code [col0, col0 + cols)} of one image and group into NR-column panels:
     * {@code dst[(panel * k + p) * NR + j]} = input tap p of output pixel {@code col0 + panel * NR + j},
     * zero for padding and past the last column. Panel by panel, taps in order (input channel, kernel
     * row, kernel column counted up without division); a panel's pixels are cut into runs along output
     * rows, and an in-bounds run at stride 1 is copied a vector at a time.
     */
    static void packIm2col(ConvGeometry g, float[] in, int inOff, int col0, int cols, int k, float[] dst) {
        int nr = VectorGemm.NR;
        int plane = g.inH() * g.inW();
        int inH = g.inH();
        int inW = g.inW();
        int outW = g.outW();
        int strideH = g.strideH();
        int strideW = g.strideW();
        int kernelH = g.kernelH();
        int kernelW = g.kernelW();
        int panels = (cols + nr - 1) / nr;
        for (int panel = 0; panel < panels; panel++) {
            int width = Math.min(nr, cols - panel * nr);
            int pixel0 = col0 + panel * nr;
            int oh0 = pixel0 / outW;
            int ow0 = pixel0 - oh0 * outW;
            int d = panel * k * nr;
            int ic = 0;
            int kh = 0;
            int kw = 0;
            for (int p = 0; p < k; p++, d += nr) {
                int dh = kh * g.dilationH() - g.padTop();
                int dw = kw * g.dilationW() - g.padLeft();
                int chan = inOff + ic * plane;
                int j = 0;
                int oh = oh0;
                int ow = ow0;
                while (j < width) {
                    // One run: consecutive output pixels of output row oh.
                    int len = Math.min(width - j, outW - ow);
                    int pos = d + j;
                    int ih = oh * strideH + dh;
                    if (ih < 0 || ih >= inH) {
                        Arrays.fill(dst, pos, pos + len, 0f);
                    } else {
                        int row = chan + ih * inW;
                        int iw = ow * strideW + dw;
                        if (strideW == 1) {
                            int lo = Math.max(0, Math.min(len, -iw));
                            int hi = Math.max(lo, Math.min(len, inW - iw));
                            for (int q = 0; q < lo; q++) {
                                dst[pos + q] = 0f;
                            }
                            copy(in, row + iw, dst, pos, lo, hi);
                            for (int q = hi; q < len; q++) {
                                dst[pos + q] = 0f;
                            }
                        } else {
                            for (int q = 0; q < len; q++) {
                                int x = iw + q * strideW;
                                dst[pos + q] = x >= 0 && x < inW ? in[row + x] : 0f;
                            }
                        }
                    }
                    j += len;
                    oh++;
                    ow = 0;
                }
                for (int q = width; q < nr; q++) {
                    dst[d + q] = 0f;
                }
                if (++kw == kernelW) {
                    kw = 0;
                    if (++kh == kernelH) {
                        kh = 0;
                        ic++;
                    }
                }
            }
        }
    }

    /** {@code dst[pos + q] = in[src + q]} for {@code q} in {@code [lo, hi)}, whole vectors first. */
    private static void copy(float[] in, int src, float[] dst, int pos, int lo, int hi) {
        int q = lo;
        for (; q + VectorGemm.L <= hi; q += VectorGemm.L) {
            FloatVector.fromArray(VectorGemm.SPECIES, in, src + q).intoArray(dst, pos + q);
        }
        for (; q < hi; q++) {
            dst[pos + q] = in[src + q];
        }
    }
}
