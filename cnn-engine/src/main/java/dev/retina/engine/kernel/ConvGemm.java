package dev.retina.engine.kernel;

/**
 * Convolution as GEMM, per image and group: {@code out (M x N) = W (M x K) * cols (K x N)} with
 * M = output channels per group, K = input channels per group * kernelH * kernelW and N = outH * outW.
 * The im2col matrix is never materialised: each column block is packed straight from the input
 * ({@link Im2colSource}); a 1x1/stride-1/unpadded convolution reads the input as the matrix itself.
 */
final class ConvGemm {

    private ConvGemm() {
    }

    static void run(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                    ComputeContext ctx) {
        int m = g.outPerGroup();
        int k = g.inPerGroup() * g.kernelH() * g.kernelW();
        int n = g.outH() * g.outW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int nc = PackedGemm.blockColumns(k, n);
        int colBlocks = (n + nc - 1) / nc;
        int panels = (m + PackedGemm.MR - 1) / PackedGemm.MR;
        int images = batch * g.group();
        int rowGroups = Math.min(panels,
                Math.max(1, (2 * ctx.parallelism() + images * colBlocks - 1) / (images * colBlocks)));
        GemmEpilogue base = new GemmEpilogue(1f, w.bias(), 0, false, act);
        ctx.parallelFor(images * colBlocks * rowGroups, (chunk, from, to) -> {
            float[] packedB = ctx.scratch(chunk, k * nc);
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
                    int inOff = nIdx * inImage + grp * g.inPerGroup() * g.inH() * g.inW();
                    PackedGemm.BSource src = g.isPointwise()
                            ? PackedGemm.matrixSource(in, inOff, n, 1)
                            : new Im2colSource(g, in, inOff);
                    src.pack(col0, cols, k, packedB);
                    packedKey = key;
                }
                int p0 = (int) ((long) panels * rowGroup / rowGroups);
                int p1 = (int) ((long) panels * (rowGroup + 1) / rowGroups);
                int outOff = g.outOffset(nIdx, grp * m);
                PackedGemm.block(w.packedPerGroup()[grp], p0, p1, packedB, col0, cols, out, outOff, n, 1,
                        grp == 0 ? base : base.withBiasOffset(grp * m));
            }
        });
    }

    /** Packs im2col columns of one image and group straight from the NCHW input. */
    private static final class Im2colSource implements PackedGemm.BSource {
        private final ConvGeometry g;
        private final float[] in;
        private final int inOff;

        Im2colSource(ConvGeometry g, float[] in, int inOff) {
            this.g = g;
            this.in = in;
            this.inOff = inOff;
        }

        @Override
        public void pack(int col0, int cols, int k, float[] dst) {
            int nr = PackedGemm.NR;
            int[] ih0 = new int[nr];
            int[] iw0 = new int[nr];
            int kArea = g.kernelH() * g.kernelW();
            int plane = g.inH() * g.inW();
            int panels = (cols + nr - 1) / nr;
            for (int panel = 0; panel < panels; panel++) {
                int width = Math.min(nr, cols - panel * nr);
                for (int j = 0; j < width; j++) {
                    int pixel = col0 + panel * nr + j;
                    ih0[j] = (pixel / g.outW()) * g.strideH() - g.padTop();
                    iw0[j] = (pixel % g.outW()) * g.strideW() - g.padLeft();
                }
                int d = panel * k * nr;
                for (int p = 0; p < k; p++) {
                    int ic = p / kArea;
                    int kk = p % kArea;
                    int dh = (kk / g.kernelW()) * g.dilationH();
                    int dw = (kk % g.kernelW()) * g.dilationW();
                    int chan = inOff + ic * plane;
                    int j = 0;
                    for (; j < width; j++) {
                        int ih = ih0[j] + dh;
                        int iw = iw0[j] + dw;
                        dst[d + j] = ih >= 0 && ih < g.inH() && iw >= 0 && iw < g.inW()
                                ? in[chan + ih * g.inW() + iw] : 0f;
                    }
                    for (; j < nr; j++) {
                        dst[d + j] = 0f;
                    }
                    d += nr;
                }
            }
        }
    }
}
