package dev.retina.engine.kernel;

import java.util.Arrays;

/**
 * Convolution on the {@link VectorGemm} micro-kernel, per image and group:
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
        int m = g.outPerGroup();
        int k = g.inPerGroup() * g.kernelH() * g.kernelW();
        int n = g.outH() * g.outW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int inGroup = g.inPerGroup() * g.inH() * g.inW();
        int nc = VectorGemm.blockColumns(k, n);
        int colBlocks = (n + nc - 1) / nc;
        int panels = (m + VectorGemm.MR - 1) / VectorGemm.MR;
        int images = batch * g.group();
        int rowGroups = Math.min(panels,
                Math.max(1, (2 * ctx.parallelism() + images * colBlocks - 1) / (images * colBlocks)));
        int scratchFloats = VectorGemm.scratchFloats(k, nc, panels);
        boolean pointwise = g.isPointwise();
        PackedMatrix[] packed = w.packedPerGroup();
        GemmEpilogue ep = new GemmEpilogue(1f, w.bias(), 0, false, act);
        ctx.parallelFor(images * colBlocks * rowGroups, (chunk, from, to) -> {
            float[] scratch = ctx.scratch(chunk, scratchFloats);
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
                int outOff = (nIdx * g.outChannels() + grp * m) * n;
                VectorGemm.block(packed[grp], p0, p1, scratch, k * nc, col0, cols, out, outOff, n, 1, ep,
                        grp * m);
            }
        });
    }

    /**
     * Packs im2col columns {@code [col0, col0 + cols)} of one image and group into NR-column panels:
     * {@code dst[(panel * k + p) * NR + j]} = input tap p of output pixel {@code col0 + panel * NR + j},
     * zero for padding and past the last column.
     */
    static void packIm2col(ConvGeometry g, float[] in, int inOff, int col0, int cols, int k, float[] dst) {
        int nr = VectorGemm.NR;
        int kArea = g.kernelH() * g.kernelW();
        int plane = g.inH() * g.inW();
        int inH = g.inH();
        int inW = g.inW();
        int outW = g.outW();
        int strideH = g.strideH();
        int strideW = g.strideW();
        int panels = (cols + nr - 1) / nr;
        for (int p = 0; p < k; p++) {
            int ic = p / kArea;
            int kk = p - ic * kArea;
            int dh = (kk / g.kernelW()) * g.dilationH() - g.padTop();
            int dw = (kk % g.kernelW()) * g.dilationW() - g.padLeft();
            int chan = inOff + ic * plane;
            for (int panel = 0; panel < panels; panel++) {
                int d = (panel * k + p) * nr;
                int start = panel * nr;
                int end = Math.min(cols, start + nr);
                int j = start;
                while (j < end) {
                    // One run: consecutive output pixels of the same output row.
                    int pixel = col0 + j;
                    int oh = pixel / outW;
                    int ow = pixel - oh * outW;
                    int len = Math.min(end - j, outW - ow);
                    int pos = d + (j - start);
                    int ih = oh * strideH + dh;
                    if (ih < 0 || ih >= inH) {
                        Arrays.fill(dst, pos, pos + len, 0f);
                    } else {
                        int row = chan + ih * inW;
                        int iw = ow * strideW + dw;
                        if (strideW == 1) {
                            int lo = Math.max(0, Math.min(len, -iw));
                            int hi = Math.max(lo, Math.min(len, inW - iw));
                            if (lo > 0) {
                                Arrays.fill(dst, pos, pos + lo, 0f);
                            }
                            System.arraycopy(in, row + iw + lo, dst, pos + lo, hi - lo);
                            if (hi < len) {
                                Arrays.fill(dst, pos + hi, pos + len, 0f);
                            }
                        } else {
                            for (int q = 0; q < len; q++) {
                                int x = iw + q * strideW;
                                dst[pos + q] = x >= 0 && x < inW ? in[row + x] : 0f;
                            }
                        }
                    }
                    j += len;
                }
                if (end - start < nr) {
                    Arrays.fill(dst, d + (end - start), d + nr, 0f);
                }
            }
        }
    }
}
