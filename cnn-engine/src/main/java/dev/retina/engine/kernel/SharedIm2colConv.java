package dev.retina.engine.kernel;

import java.util.Arrays;

/**
 * Convolution for deep layers with small output planes (a ResNet's 14 x 14 and 7 x 7 stages: K in the
 * thousands, a few column panels per image), on the {@link VectorGemm} register tile.
 *
 * <p>Per image and group, two parallel loops (for a batch of an ungrouped layer whose planes do not
 * fill their last column panel, once for all images, their columns side by side in one matrix:
 * {@link #joinsImages}). The first packs the image's whole im2col matrix once, in
 * {@link VectorGemm#NR}-column panels, into a buffer every thread reads; its tasks are channel ranges,
 * and each channel is copied into a zero-bordered plane first, so each tap's row of a panel is a
 * gather through a per-pixel index with no bounds checks (copying the runs of each 7-pixel output row
 * one at a time with their padding, as {@link VectorConv#packIm2col} does, took most of a ResNet-18
 * 7 x 7 layer's time). The second multiplies: its tasks are (row group,
 * column block) pairs, and a task runs each of its weight panels over the column panels of its block,
 * every tile over the whole of K with the sums in registers. So no partial sums go through memory,
 * each weight panel is read as one contiguous stream, and a column block (at most
 * {@link #BLOCK_FLOATS}) stays in L2 while the panels of a row group (about {@link #ROW_GROUP_FLOATS})
 * pass over it. On {@link VectorConv#runIm2col} every thread packs the column blocks it works on and
 * runs all weight panels over them a K slice at a time: on such layers the threads either pack the
 * same block twice or each read every weight.
 *
 * <p>Each output element is one chain of fused multiply-adds over K in tap order, as on the other
 * paths: results do not depend on the path or the thread split.
 */
final class SharedIm2colConv {

    /** Largest packed column block in floats (1.25 MiB: stays in a core's 2 MiB L2 beside the weights). */
    static final int BLOCK_FLOATS = 320 * 1024;
    /** Weight floats of one row group (512 KiB: read from L2 again for each column block of a task run). */
    static final int ROW_GROUP_FLOATS = 128 * 1024;
    /** Largest whole im2col matrix of one image and group, in floats, for deep layers ({@link #DEEP_K}). */
    static final int MAX_PACKED_FLOATS = 4 * BLOCK_FLOATS;
    /** Depth from which a layer may pack up to {@link #MAX_PACKED_FLOATS}. */
    static final int DEEP_K = 512;
    /**
     * Depth from which a layer whose im2col matrix is one column block (at most {@link #BLOCK_FLOATS})
     * takes this path. Two threads, ms per layer, this path vs the others: SqueezeNet 1.1 48-192 at
     * 13 x 13 (K 432) and MobileNetV2 144-32 at 28 x 28 (K 144) gain, 0.254 -> 0.17 and 0.142 -> 0.099;
     * MobileNetV2 144-24 at 56 x 56, whose matrix is 1.4 blocks for 24 output channels, lost
     * (0.258 -> 0.468): packing it costs more than it saves.
     */
    static final int MIN_K = 128;
    /** Work units (multiply-adds) one packed float is counted as, for the serial threshold. */
    private static final long PACK_COST = 8;

    private SharedIm2colConv() {
    }

    /** True for the im2col geometries this path computes faster: deep, with a small packed matrix. */
    static boolean suits(ConvGeometry g) {
        int k = g.inPerGroup() * g.kernelH() * g.kernelW();
        long packed = (long) k * paddedColumns(g);
        return k >= DEEP_K ? packed <= MAX_PACKED_FLOATS : k >= MIN_K && packed <= BLOCK_FLOATS;
    }

    private static int paddedColumns(ConvGeometry g) {
        int n = g.outH() * g.outW();
        return (n + VectorGemm.NR - 1) / VectorGemm.NR * VectorGemm.NR;
    }

    /**
     * {@code out = act(conv(in) + residual)}; {@code residual} (null for none) has the output's layout
     * and is added in the epilogue, before the activation.
     */
    static void run(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] residual, float[] out,
                    int batch, ComputeContext ctx) {
        Body body = ctx.body(Body.class, Body::new);
        int together = joinsImages(g, batch) ? batch : 1;
        body.set(g, w, act, in, residual, out, ctx, together);
        try {
            long packWork = (long) body.k * body.colPanels * VectorGemm.NR * PACK_COST;
            long macs = g.macs() / g.group() * together;
            for (int image = 0; image < batch * g.group(); image += together) {
                body.image(image);
                body.packing = true;
                VectorGemm.forTasks(ctx, body.kSplits, packWork, body);
                body.packing = false;
                VectorGemm.forTasks(ctx, body.rowGroups * body.colBlocks, macs, body);
            }
        } finally {
            body.clear();
        }
    }

    /**
     * True when the images of a batch share one im2col matrix, image after image along its columns,
     * instead of a matrix each: an ungrouped layer whose output plane leaves its last column panel part
     * empty (a 7 x 7 plane is 49 columns, two panels of which 15 columns are padding; eight such
     * planes are 392 columns in 13 panels), so the tiles do less wasted work.
     */
    static boolean joinsImages(ConvGeometry g, int batch) {
        int n = g.outH() * g.outW();
        return batch > 1 && g.group() == 1 && n % VectorGemm.NR != 0;
    }

    /**
     * The loop body of both loops ({@link #packing} tells which): one instance per context
     * ({@link ComputeContext#body}), holding the shared packed matrix, so a call allocates nothing once
     * the buffer has grown to its largest layer.
     */
    static final class Body implements ComputeContext.RangeBody {
        private final VectorGemm.TileEpilogue ep = new VectorGemm.TileEpilogue();
        private float[] packed = new float[0];
        private ConvGeometry g;
        private PackedMatrix[] weights;
        private float[] in;
        private float[] out;
        private ComputeContext ctx;
        private boolean packing;
        private int k;
        /** Output pixels of one image; columns of the matrix ({@link #images} images of n each). */
        private int n;
        private int columns;
        private int images;
        private int colPanels;
        private int kSplits;
        private int panelsPerBlock;
        private int colBlocks;
        private int rowGroups;
        private int firstImage;
        private int inOff;
        private int grp;
        /**
         * Per column, its window offset among the zero-bordered input planes of one channel (one plane
         * per image, {@link #padPlane} floats apart).
         */
        private int[] columnIndex = new int[0];
        /** Per column panel, the image of its first column. */
        private int[] panelImage = new int[0];
        private int padW;
        private int padPlane;
        private int padBase;

        void set(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] residual, float[] out,
                 ComputeContext ctx, int images) {
            this.g = g;
            this.weights = w.packedPerGroup();
            this.in = in;
            this.out = out;
            this.ctx = ctx;
            this.images = images;
            ep.set(w.bias(), act, residual);
            int par = ctx.parallelism();
            k = g.inPerGroup() * g.kernelH() * g.kernelW();
            n = g.outH() * g.outW();
            columns = Math.multiplyExact(n, images);
            colPanels = (columns + VectorGemm.NR - 1) / VectorGemm.NR;
            kSplits = evenSplit(1, 2 * par, g.inPerGroup(), par);
            int maxPerBlock = Math.max(1, BLOCK_FLOATS / (k * VectorGemm.NR));
            colBlocks = (colPanels + maxPerBlock - 1) / maxPerBlock;
            panelsPerBlock = (colPanels + colBlocks - 1) / colBlocks;
            int panels = weights[0].panelCount();
            long weightFloats = (long) panels * k * VectorGemm.MR;
            int forCache = (int) Math.min(panels, (weightFloats + ROW_GROUP_FLOATS - 1) / ROW_GROUP_FLOATS);
            int groups = Math.max(VectorGemm.rowGroups(panels, colBlocks, par), forCache);
            rowGroups = evenSplit(colBlocks, groups, panels, par);
            // The zero-bordered plane holds the input and every position a tap reads (the end padding).
            padW = Math.max(g.padLeft() + g.inW(), reach(g.outW(), g.strideW(), g.kernelW(), g.dilationW()));
            int padH = Math.max(g.padTop() + g.inH(), reach(g.outH(), g.strideH(), g.kernelH(), g.dilationH()));
            padPlane = Math.multiplyExact(padH, padW);
            padBase = Math.multiplyExact(colPanels * VectorGemm.NR, k);
            int floats = g.isPointwise() ? padBase
                    : Math.addExact(padBase, Math.multiplyExact(Math.multiplyExact(g.inPerGroup(), images), padPlane));
            if (packed.length < floats) {
                packed = new float[floats];
            }
            if (columnIndex.length < columns) {
                columnIndex = new int[columns];
            }
            if (panelImage.length < colPanels) {
                panelImage = new int[colPanels];
            }
            for (int bp = 0; bp < colPanels; bp++) {
                panelImage[bp] = bp * VectorGemm.NR / n;
            }
            for (int image = 0, i = 0; image < images; image++) {
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, i++) {
                        columnIndex[i] = image * padPlane + oh * g.strideH() * padW + ow * g.strideW();
                    }
                }
            }
        }

        /** Selects image-and-group {@code image} (image-major, as the output is laid out) and the images after it. */
        void image(int image) {
            firstImage = image / g.group();
            grp = image % g.group();
            int plane = g.inH() * g.inW();
            inOff = (firstImage * g.inChannels() + grp * g.inPerGroup()) * plane;
        }

        void clear() {
            g = null;
            weights = null;
            in = null;
            out = null;
            ctx = null;
            ep.clear();
        }

        @Override
        public void run(int chunk, int from, int to) {
            if (packing) {
                pack(from, to);
            } else {
                multiply(ctx.scratch(chunk, (VectorGemm.MR + 1) * VectorGemm.NR + VectorGemm.SPARE_FLOATS), from, to);
            }
        }

        /**
         * Packs input channels {@code [c0, c1)} of task range {@code [from, to)}: each channel of each
         * image is first copied into its zero-bordered plane (after the packed matrix), then each of its
         * taps is gathered into every column panel through the column-to-window index.
         */
        private void pack(int from, int to) {
            int nr = VectorGemm.NR;
            int cin = g.inPerGroup();
            int plane = g.inH() * g.inW();
            int inImage = g.inChannels() * plane;
            int kArea = g.kernelH() * g.kernelW();
            for (int t = from; t < to; t++) {
                int c0 = (int) ((long) cin * t / kSplits);
                int c1 = (int) ((long) cin * (t + 1) / kSplits);
                for (int c = c0; c < c1; c++) {
                    int src = inOff + c * plane;
                    if (g.isPointwise()) {
                        for (int bp = 0; bp < colPanels; bp++) {
                            int col0 = bp * nr;
                            int cols = Math.min(nr, columns - col0);
                            int at = (bp * k + c) * nr;
                            int image = panelImage[bp];
                            int pixel = col0 - image * n;
                            for (int j = 0; j < cols; image++, pixel = 0) {
                                int len = Math.min(cols - j, n - pixel);
                                System.arraycopy(in, src + image * inImage + pixel, packed, at + j, len);
                                j += len;
                            }
                            Arrays.fill(packed, at + cols, at + nr, 0f);
                        }
                        continue;
                    }
                    int base = padBase + c * images * padPlane;
                    for (int image = 0; image < images; image++) {
                        int pad = base + image * padPlane;
                        int from0 = src + image * inImage;
                        Arrays.fill(packed, pad, pad + padPlane, 0f);
                        for (int ih = 0; ih < g.inH(); ih++) {
                            System.arraycopy(in, from0 + ih * g.inW(), packed, pad + (ih + g.padTop()) * padW
                                    + g.padLeft(), g.inW());
                        }
                    }
                    for (int kh = 0; kh < g.kernelH(); kh++) {
                        for (int kw = 0; kw < g.kernelW(); kw++) {
                            int p = c * kArea + kh * g.kernelW() + kw;
                            int tap = base + kh * g.dilationH() * padW + kw * g.dilationW();
                            for (int bp = 0; bp < colPanels; bp++) {
                                int col0 = bp * nr;
                                int cols = Math.min(nr, columns - col0);
                                int at = (bp * k + p) * nr;
                                for (int j = 0; j < cols; j++) {
                                    packed[at + j] = packed[tap + columnIndex[col0 + j]];
                                }
                                for (int j = cols; j < nr; j++) {
                                    packed[at + j] = 0f;
                                }
                            }
                        }
                    }
                }
            }
        }

        private void multiply(float[] t, int from, int to) {
            int nr = VectorGemm.NR;
            int mr = VectorGemm.MR;
            PackedMatrix a = weights[grp];
            float[] pa = a.panels();
            int panels = a.panelCount();
            boolean direct = VectorGemm.directStores(ep, 1);
            int biasRow0 = grp * g.outPerGroup();
            for (int task = from; task < to; task++) {
                int rowGroup = task / colBlocks;
                int block = task % colBlocks;
                int p0 = (int) ((long) panels * rowGroup / rowGroups);
                int p1 = (int) ((long) panels * (rowGroup + 1) / rowGroups);
                int bp0 = block * panelsPerBlock;
                int bp1 = Math.min(colPanels, bp0 + panelsPerBlock);
                for (int panel = p0; panel < p1; panel++) {
                    int row0 = panel * mr;
                    int rows = Math.min(mr, a.rows() - row0);
                    int aBase = panel * k * mr;
                    for (int bp = bp0; bp < bp1; bp++) {
                        if (mr > VectorGemm.HALF_MR && rows > VectorGemm.HALF_MR) {
                            VectorGemm.microKernel12(pa, aBase, packed, bp * k * nr, k, t, 0);
                        } else {
                            VectorGemm.microKernel6(pa, aBase, mr, packed, bp * k * nr, k, t, 0);
                        }
                        int col = bp * nr;
                        int width = Math.min(nr, columns - col);
                        // The tile's columns run by run, a run per image it covers.
                        for (int j = 0; j < width; ) {
                            int image = (col + j) / n;
                            int pixel = col + j - image * n;
                            int len = Math.min(width - j, n - pixel);
                            int outOff = g.outOffset(firstImage + image, biasRow0);
                            if (direct && len == nr) {
                                VectorGemm.storeWholeTile(t, 0, rows, out, outOff + row0 * n + pixel, n, ep,
                                        biasRow0 + row0);
                            } else {
                                VectorGemm.epilogue(t, j, row0, rows, pixel, len, out, outOff, n, 1, ep, biasRow0);
                            }
                            j += len;
                        }
                    }
                }
            }
        }
    }

    /** Padded positions that {@code out} outputs read along one axis: last output's window end. */
    private static int reach(int out, int stride, int kernel, int dilation) {
        return (out - 1) * stride + (kernel - 1) * dilation + 1;
    }

    /**
     * The smallest number of parts, at least {@code wanted} and at most {@code max}, to cut each of
     * {@code units} units into so that the task count is a multiple of {@code parallelism} (every thread
     * gets the same number of tasks) where one exists.
     */
    static int evenSplit(int units, int wanted, int max, int parallelism) {
        int parts = Math.min(max, Math.max(1, wanted));
        while (parts < max && (long) units * parts % parallelism != 0) {
            parts++;
        }
        return parts;
    }
}
