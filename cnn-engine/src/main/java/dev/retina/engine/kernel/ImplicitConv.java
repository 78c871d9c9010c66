package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Convolution as an implicit GEMM on the {@link VectorGemm} register tile: no im2col matrix, packed
 * or not.
 *
 * <p>Per image and group, output rows are cut into blocks. For a block, the input rows it needs are
 * copied once into a zero-bordered window, split into {@code strideH x strideW} phases: phase
 * (a, b) of channel c holds padded input element {@code (strideH * y + a, strideW * x + b)} at
 * {@code (y, x)}, in rows of {@code wq = outW + dilationW * (kernelW - 1) / strideW} floats. The
 * output is computed on that width too: padded output column {@code n = r * wq + x} (block row r,
 * column x) of the im2col matrix row for tap (c, kh, kw) is then
 * {@code window[c * channelStride + offset(kh, kw) + n]}, where the offset picks the tap's phase
 * and its row and column shift inside it. So a column panel's B rows are found in the window at
 * per-tap constant offsets, and with stride 1 there is one phase and the window is simply the
 * zero-padded input. The {@code wq - outW} columns past each output row are computed and
 * dropped by the epilogue. A 1x1 unpadded stride-1 convolution ({@link ConvGeometry#isPointwise()})
 * needs no window: it reads the input itself (chosen only for few output channels, see
 * {@link #POINTWISE_PACKED_MIN_CHANNELS}).
 *
 * <p>K is the taps in the OIHW weights' order (channel, kernel row, kernel column). With at least
 * {@link #GATHER_MIN_K} of them, each column panel's B rows are first copied out of the window into one
 * contiguous K x NR panel that every weight panel then streams, as in a GEMM; below that the
 * micro-kernel reads them in place. Either way each tile sums over the whole of K in registers: each
 * output is one chain of fused multiply-adds over K in tap order, whatever the thread split.
 *
 * <p>Dropped columns cost {@code (wq - outW) / wq} of the arithmetic; packing an im2col block costs a
 * share that falls with the number of output channels. {@link #suits} picks this kernel when the
 * first is the smaller cost.
 */
final class ImplicitConv {

    /** Chosen when (wasted column share) x (output channels per group) is at most this. */
    private static final double WASTE_TIMES_CHANNELS_LIMIT = 12.0;
    /**
     * Strided layers below this many multiply-adds per image stay on the im2col path: their packing
     * is cheap anyway, and on such small layers C2 was seen to take thousands of calls longer to
     * compile the phase-split path without boxing its vectors.
     */
    private static final long STRIDED_MIN_MACS = 1_000_000;
    /**
     * Pointwise layers with at least this many output channels per group go to the packed (im2col)
     * path: read in place, the input's rows are K rows a full row apart that the micro-kernel walks
     * without the hardware prefetcher's help, while the packed column block is one contiguous stream,
     * and copying it is shared by every panel of {@link VectorGemm#MR} output channels. JMH {@code ConvBench}, one
     * core, GFLOP/s packed vs in place: 512-1000 at 13 x 13 132 vs 89, 960-160 at 7 x 7 104 vs 67,
     * 96-576 at 14 x 14 125 vs 89, 144-24 at 56 x 56 82 vs 71; with 16 output channels (two panels,
     * the second a third full) packing costs more than it saves: 32-16 at 112 x 112 50 vs 69. In the
     * network, with the input just written by the depthwise layer on both cores, layers into 24 and 32
     * channels ran faster in place after all (MobileNetV2, two threads, ms: 96-24 at 56 x 56 0.207 vs
     * 0.125, 192-32 at 28 x 28 0.12 vs 0.086, 144-32 at 28 x 28 0.089 vs 0.062; 144-24 at 56 x 56
     * with its residual 0.211 vs 0.209), so packing starts at three panels.
     */
    static final int POINTWISE_PACKED_MIN_CHANNELS = 3 * VectorGemm.MR;
    /**
     * Layers with at least this many taps (K) gather each column panel's B rows out of the window into
     * one contiguous K x NR panel, and every tile then sums over the whole of K in registers. Read in
     * place, the rows of a panel lie scattered over the window (a channel's window apart) and the
     * micro-kernel ran at about 120 GFLOP/s on one core, against 165 on a contiguous panel; the copy
     * costs two vector loads and stores per tap, shared by all output channels. With fewer taps (the
     * 27-tap stems) the copy costs more than it saves. Two threads, ms per layer, gathered vs in place:
     * ResNet-18 56 x 56 1.18 vs 1.39, 28 x 28 1.10 vs 1.29, its 7 x 7/2 stem 1.42 vs 1.63; SqueezeNet
     * 1.1's 3 x 3 expand layers 0.377 vs 0.389, its stem 0.69 vs 0.55. Only with at least
     * {@link #GATHER_MIN_CHANNELS} output channels per group to share the copy.
     */
    static final int GATHER_MIN_K = 64;
    /**
     * Layers into fewer output channels (per group) than this read in place whatever their depth: with
     * 16 (a panel and a third) the copy is not repaid. LeNet-sized net, two threads, ratio to ONNX
     * Runtime with its 150-tap 5 x 5 layer into 16 channels gathered vs in place: 1.08-1.10 vs 1.22-1.28.
     */
    static final int GATHER_MIN_CHANNELS = 2 * VectorGemm.MR;
    /** Target size in floats of one input window (stays in L2 while every weight panel passes). */
    private static final int WINDOW_FLOATS = 128 * 1024;

    private ImplicitConv() {
    }

    /** True for geometries this kernel computes and is expected to compute faster than im2col. */
    static boolean suits(ConvGeometry g) {
        if ((g.strideH() != 1 || g.strideW() != 1) && g.macs() < STRIDED_MIN_MACS) {
            return false;
        }
        if (g.isPointwise()) {
            return g.outPerGroup() < POINTWISE_PACKED_MIN_CHANNELS;
        }
        int wp = paddedWidth(g);
        double waste = (double) (wp - g.outW()) / wp;
        return waste * g.outPerGroup() <= WASTE_TIMES_CHANNELS_LIMIT;
    }

    /**
     * Row width of one window phase (and of the computed output):
     * {@code outW + dilationW * (kernelW - 1) / strideW}.
     */
    static int paddedWidth(ConvGeometry g) {
        return g.outW() + g.dilationW() * (g.kernelW() - 1) / g.strideW();
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
        if (w.packedPerGroup() == null) {
            throw new IllegalArgumentException("implicit GEMM convolution expects weights packed per group,"
                    + " found unpacked (depthwise) weights for " + g);
        }
        Body body = ctx.body(Body.class, Body::new);
        body.set(g, w, act, in, residual, out, batch, ctx);
        try {
            VectorGemm.forTasks(ctx, body.images * body.lay.colBlocks * body.lay.rowGroups, g.macs() * batch, body);
        } finally {
            body.clear();
        }
    }

    /**
     * The loop body over (image and group, row block, row group) tasks: one instance per context
     * ({@link ComputeContext#body}), so a call allocates nothing.
     */
    static final class Body implements ComputeContext.RangeBody {
        private final Layout lay = new Layout();
        private final VectorGemm.TileEpilogue ep = new VectorGemm.TileEpilogue();
        private ConvGeometry g;
        private PackedMatrix[] packed;
        private float[] in;
        private float[] out;
        private ComputeContext ctx;
        private int images;

        void set(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] residual, float[] out,
                 int batch, ComputeContext ctx) {
            this.g = g;
            this.packed = w.packedPerGroup();
            this.in = in;
            this.out = out;
            this.ctx = ctx;
            this.images = batch * g.group();
            ep.set(w.bias(), act, residual);
            lay.compute(g, ctx.parallelism(), images);
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
            int n = g.outH() * g.outW();
            int plane = g.inH() * g.inW();
            int inImage = g.inChannels() * plane;
            int inGroup = g.inPerGroup() * plane;
            float[] scratch = ctx.scratch(chunk, lay.scratchFloats + VectorGemm.SPARE_FLOATS);
            int windowKey = -1;
            float[] x = scratch;
            int xBase = 0;
            int channelStride = lay.channelStride;
            for (int t = from; t < to; t++) {
                int rowGroup = t % lay.rowGroups;
                int key = t / lay.rowGroups;
                int block = key % lay.colBlocks;
                int image = key / lay.colBlocks;
                int nIdx = image / g.group();
                int grp = image % g.group();
                int oh0 = block * lay.rowsPerBlock;
                int rows = Math.min(lay.rowsPerBlock, g.outH() - oh0);
                int inOff = nIdx * inImage + grp * inGroup;
                if (key != windowKey) {
                    int direct = inOff + oh0 * g.inW();
                    int cols = rows * lay.wp;
                    int lastRead = direct + (g.inPerGroup() - 1) * plane + (cols + VectorGemm.NR - 1)
                            / VectorGemm.NR * VectorGemm.NR;
                    if (g.isPointwise() && lastRead <= in.length) {
                        x = in;
                        xBase = direct;
                        channelStride = plane;
                    } else {
                        fillWindow(g, lay, in, inOff, oh0, rows, scratch);
                        x = scratch;
                        xBase = 0;
                        channelStride = lay.channelStride;
                    }
                    windowKey = key;
                }
                int p0 = (int) ((long) lay.panels * rowGroup / lay.rowGroups);
                int p1 = (int) ((long) lay.panels * (rowGroup + 1) / lay.rowGroups);
                int outOff = g.outOffset(nIdx, grp * m) + oh0 * g.outW();
                block(g, lay, packed[grp], x, xBase, channelStride, rows, p0, p1, scratch, out, outOff, ep, grp * m);
            }
        }
    }

    /**
     * Block sizes, window and scratch layout, and tap offsets for one geometry and thread count;
     * recomputed per call, in place (the offset table only grows).
     */
    private static final class Layout {
        int wp;
        int rowsPerBlock;
        int colBlocks;
        int winRows;
        /** Floats of one phase of one channel: {@code winRows * wp}. */
        int winPlane;
        /** Floats of one channel's window: every phase. */
        int channelStride;
        int panels;
        int rowGroups;
        /** Whether column panels are gathered into a contiguous B panel ({@link #GATHER_MIN_K}). */
        boolean gathered;
        /** Start of the one tile of sums. */
        int tileBase;
        /** Start of the gathered B panel. */
        int panelBase;
        int scratchFloats;
        /** Per tap (kh, kw) of one channel, its B row's offset from the channel's window start. */
        int[] tapOffsets = new int[9];
        /** Per phase, whether some tap reads it (a 1x1 strided layer reads one of four). */
        boolean[] phaseUsed = new boolean[4];

        void compute(ConvGeometry g, int parallelism, int images) {
            int sH = g.strideH();
            int sW = g.strideW();
            int phases = sH * sW;
            wp = paddedWidth(g);
            int halo = g.dilationH() * (g.kernelH() - 1) / sH;
            int cin = g.inPerGroup();
            int taps = g.kernelH() * g.kernelW();
            gathered = cin * taps >= GATHER_MIN_K && g.outPerGroup() >= GATHER_MIN_CHANNELS;
            int fit = WINDOW_FLOATS / Math.max(1, cin * phases * wp) - halo;
            rowsPerBlock = Math.max(1, Math.min(g.outH(), fit));
            colBlocks = (g.outH() + rowsPerBlock - 1) / rowsPerBlock;
            if (gathered) {
                // Each task gathers the panels of its own rows: enough row blocks for every thread,
                // rather than row groups that would each gather the same columns.
                colBlocks = Math.min(g.outH(), Math.max(colBlocks, (2 * parallelism + images - 1) / images));
            }
            rowsPerBlock = (g.outH() + colBlocks - 1) / colBlocks;
            colBlocks = (g.outH() + rowsPerBlock - 1) / rowsPerBlock;
            winRows = rowsPerBlock + halo;
            winPlane = winRows * wp;
            channelStride = Math.multiplyExact(phases, winPlane);
            panels = (g.outPerGroup() + VectorGemm.MR - 1) / VectorGemm.MR;
            rowGroups = VectorGemm.rowGroups(panels, images * colBlocks, parallelism);
            if (tapOffsets.length < taps) {
                tapOffsets = new int[taps];
            }
            if (phaseUsed.length < phases) {
                phaseUsed = new boolean[phases];
            }
            Arrays.fill(phaseUsed, false);
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int r = kh * g.dilationH();
                    int c = kw * g.dilationW();
                    int phase = (r % sH) * sW + c % sW;
                    phaseUsed[phase] = true;
                    tapOffsets[kh * g.kernelW() + kw] = phase * winPlane + (r / sH) * wp + c / sW;
                }
            }
            // The last column panel of a block reads up to NR - 1 columns (and a tap's column shift)
            // past its phase; the slack keeps those reads inside the scratch array.
            int slack = VectorGemm.NR + g.dilationW() * (g.kernelW() - 1) / sW;
            tileBase = Math.addExact(Math.multiplyExact(cin, channelStride), slack);
            panelBase = tileBase + VectorGemm.MR * VectorGemm.NR;
            scratchFloats = gathered ? Math.addExact(panelBase, Math.multiplyExact(cin * taps, VectorGemm.NR))
                    : panelBase;
        }
    }

    /**
     * Copies the input that output rows {@code [oh0, oh0 + rows)} read, for every input channel of the
     * group and every phase some tap reads, into
     * {@code dst[c * channelStride + phase * winPlane + y * wp + x]} with zeros for the padding, and
     * zeroes the slack after the last channel.
     */
    private static void fillWindow(ConvGeometry g, Layout lay, float[] in, int inOff, int oh0, int rows,
                                   float[] dst) {
        int plane = g.inH() * g.inW();
        int sH = g.strideH();
        int sW = g.strideW();
        int wp = lay.wp;
        int winRows = rows + g.dilationH() * (g.kernelH() - 1) / sH;
        for (int c = 0; c < g.inPerGroup(); c++) {
            int src = inOff + c * plane;
            for (int a = 0; a < sH; a++) {
                for (int b = 0; b < sW; b++) {
                    int phase = a * sW + b;
                    if (!lay.phaseUsed[phase]) {
                        continue;
                    }
                    // Window column x holds input column sW * x + b - padLeft: in range for x in [lo, hi).
                    int lo = Math.min(wp, Math.max(0, ceilDiv(g.padLeft() - b, sW)));
                    int hi = Math.max(lo, Math.min(wp, ceilDiv(g.inW() + g.padLeft() - b, sW)));
                    int iw0 = sW * lo + b - g.padLeft();
                    int d = c * lay.channelStride + phase * lay.winPlane;
                    for (int y = 0; y < winRows; y++, d += wp) {
                        int ih = sH * (oh0 + y) + a - g.padTop();
                        if (ih < 0 || ih >= g.inH()) {
                            Arrays.fill(dst, d, d + wp, 0f);
                            continue;
                        }
                        Arrays.fill(dst, d, d + lo, 0f);
                        int row = src + ih * g.inW() + iw0;
                        if (sW == 1) {
                            System.arraycopy(in, row, dst, d + lo, hi - lo);
                        } else {
                            int x = lo;
                            int i = row;
                            if (sW == 2) {
                                // Every other input a vector at a time: the even lanes of two vectors
                                // (two constant lane permutations and a blend; 0.15 against 1.08 ns
                                // per element one by one). The odd lanes may read past the row.
                                for (; x + VectorGemm.L <= hi && i + 2 * VectorGemm.L <= in.length;
                                     x += VectorGemm.L, i += 2 * VectorGemm.L) {
                                    FloatVector v0 = FloatVector.fromArray(VectorGemm.SPECIES, in, i);
                                    FloatVector v1 = FloatVector.fromArray(VectorGemm.SPECIES, in, i + VectorGemm.L);
                                    v0.rearrange(VectorDepthwise.EVENS)
                                            .blend(v1.rearrange(VectorDepthwise.EVENS), VectorDepthwise.UPPER_HALF)
                                            .intoArray(dst, d + x);
                                }
                            }
                            for (; x < hi; x++, i += sW) {
                                dst[d + x] = in[i];
                            }
                        }
                        Arrays.fill(dst, d + hi, d + wp, 0f);
                    }
                }
            }
        }
        Arrays.fill(dst, g.inPerGroup() * lay.channelStride, lay.tileBase, 0f);
    }

    /** {@code ceil(a / b)} for {@code b > 0} and any sign of {@code a}. */
    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * Row panels {@code [p0, p1)} of the weights times every column panel of one block of {@code rows}
     * output rows, read from {@code x} (channels {@code channelStride} apart from {@code xBase}).
     */
    private static void block(ConvGeometry g, Layout lay, PackedMatrix a, float[] x, int xBase, int channelStride,
                              int rows, int p0, int p1, float[] scratch, float[] out, int outOff,
                              VectorGemm.TileEpilogue ep, int biasRow0) {
        int nr = VectorGemm.NR;
        int mr = VectorGemm.MR;
        int k = a.cols();
        int kArea = g.kernelH() * g.kernelW();
        int cin = g.inPerGroup();
        int cols = rows * lay.wp;
        int colPanels = (cols + nr - 1) / nr;
        float[] pa = a.panels();
        int outPlane = g.outH() * g.outW();
        boolean gathered = lay.gathered;
        int tile = lay.tileBase;
        for (int bp = 0; bp < colPanels; bp++) {
            int col = bp * nr;
            int width = Math.min(nr, cols - col);
            // Whole tiles of a layer without dropped columns go to the output without the general epilogue.
            boolean whole = width == nr && lay.wp == g.outW() && VectorGemm.directStores(ep, 1);
            if (gathered) {
                gatherPanel(x, xBase + col, cin, channelStride, lay.tapOffsets, kArea, scratch, lay.panelBase);
            }
            for (int panel = p0; panel < p1; panel++) {
                boolean twelve = mr > VectorGemm.HALF_MR && a.rows() - panel * mr > VectorGemm.HALF_MR;
                if (gathered && twelve) {
                    VectorGemm.microKernel12(pa, panel * k * mr, scratch, lay.panelBase, k, scratch, tile);
                } else if (gathered) {
                    VectorGemm.microKernel6(pa, panel * k * mr, mr, scratch, lay.panelBase, k, scratch, tile);
                } else if (twelve) {
                    microKernel12(pa, panel * k * mr, x, xBase + col, cin, channelStride, lay.tapOffsets, kArea,
                            scratch, tile);
                } else {
                    microKernel6(pa, panel * k * mr, mr, x, xBase + col, cin, channelStride, lay.tapOffsets, kArea,
                            scratch, tile);
                }
                int row0 = panel * mr;
                int tileRows = Math.min(mr, a.rows() - row0);
                if (whole) {
                    VectorGemm.storeWholeTile(scratch, tile, tileRows, out, outOff + row0 * outPlane + col, outPlane,
                            ep, biasRow0 + row0);
                } else {
                    storeTile(scratch, tile, row0, tileRows, col, width, lay.wp, g.outW(), rows, out, outOff, outPlane,
                            ep, biasRow0);
                }
            }
        }
    }

    /**
     * Copies the B micro-panel of column panel {@code bBase} out of the window into {@code dst[dstBase..]}:
     * the {@link VectorGemm#NR} floats of tap (c, kh, kw), from
     * {@code x[bBase + c * channelStride + tapOffsets[kh * kernelW + kw]]}, to
     * {@code dstBase + (c * kArea + kh * kernelW + kw) * NR}, two vectors each.
     */
    private static void gatherPanel(float[] x, int bBase, int channels, int channelStride, int[] tapOffsets, int kArea,
                                    float[] dst, int dstBase) {
        int l = VectorGemm.L;
        int d = dstBase;
        for (int c = 0, chan = bBase; c < channels; c++, chan += channelStride) {
            for (int tap = 0; tap < kArea; tap++, d += VectorGemm.NR) {
                int src = chan + tapOffsets[tap];
                FloatVector.fromArray(VectorGemm.SPECIES, x, src).intoArray(dst, d);
                FloatVector.fromArray(VectorGemm.SPECIES, x, src + l).intoArray(dst, d + l);
            }
        }
    }

    /**
     * Writes a finished tile of padded columns {@code [col, col + width)} of a block of
     * {@code blockRows} output rows: each run of columns inside one output row goes through
     * {@link VectorGemm#epilogue}; columns past {@code outW} are dropped. A run's last part vector may
     * be stored whole when its extra lanes stay inside the block: they land on the start of the next
     * output row, which this task writes afterwards (later in this tile or in a later column panel),
     * so only the block's end needs a lane-exact store. Not when the output is read back (a residual
     * in the output's own array).
     */
    private static void storeTile(float[] t, int tile, int row0, int rows, int col, int width, int wp, int outW,
                                  int blockRows, float[] out, int outOff, int outPlane, VectorGemm.TileEpilogue ep,
                                  int biasRow0) {
        if (wp == outW) {
            // No dropped columns (a pointwise layer): the tile is one run of the output.
            VectorGemm.epilogue(t, tile, row0, rows, col, width, out, outOff, outPlane, 1, ep, biasRow0);
            return;
        }
        if (width == VectorGemm.NR && VectorGemm.directStores(ep, 1)) {
            int r = col / wp;
            int xcol = col - r * wp;
            if (xcol + width <= outW) {
                // The whole tile lies inside one output row: straight stores, as for a layer without
                // dropped columns.
                VectorGemm.storeWholeTile(t, tile, rows, out, outOff + row0 * outPlane + r * outW + xcol, outPlane, ep,
                        biasRow0 + row0);
                return;
            }
        }
        boolean spill = !ep.accumulate && ep.residual != out;
        // Runs inside output rows; with rows at least a vector wide and a vector epilogue (at most three
        // runs), whole vectors through storeTileRun.
        boolean runs = wp >= VectorGemm.L && VectorGemm.directStores(ep, 1);
        int j = 0;
        while (j < width) {
            int padded = col + j;
            int r = padded / wp;
            int xcol = padded - r * wp;
            int rowEnd = Math.min(width, j + (wp - xcol));
            if (xcol < outW) {
                int len = Math.min(rowEnd, j + (outW - xcol)) - j;
                int start = r * outW + xcol;
                int spillTo = spill ? blockRows * outW : start + len;
                if (runs) {
                    VectorGemm.storeTileRun(t, tile + j, rows, len, out, outOff + row0 * outPlane, start, outPlane,
                            spillTo, ep, biasRow0 + row0);
                } else {
                    VectorGemm.epilogue(t, tile + j, row0, rows, start, len, out, outOff, outPlane, 1, ep, biasRow0,
                            spillTo);
                }
            }
            j = rowEnd;
        }
    }

    /**
     * Six rows of a tile over the taps of {@code channels} input channels, read in place from the window
     * (layers with fewer than {@link #GATHER_MIN_K} taps): rows {@code 0..5} of the weight panel at
     * {@code a[aBase..]}, whose rows are {@code aStride} apart at each tap (the panel height), summed
     * from zero and left at {@code t[tile..]}. B row for tap (c, kh, kw) is
     * {@code x[bBase + c * channelStride + tapOffsets[kh * kernelW + kw] ..]}.
     */
    private static void microKernel6(float[] a, int aBase, int aStride, float[] x, int bBase, int channels,
                                     int channelStride, int[] tapOffsets, int kArea, float[] t, int tile) {
        final int l = VectorGemm.L;
        final int nr = VectorGemm.NR;
        FloatVector z = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector c00 = z;
        FloatVector c01 = z;
        FloatVector c10 = z;
        FloatVector c11 = z;
        FloatVector c20 = z;
        FloatVector c21 = z;
        FloatVector c30 = z;
        FloatVector c31 = z;
        FloatVector c40 = z;
        FloatVector c41 = z;
        FloatVector c50 = z;
        FloatVector c51 = z;
        // One flat loop over the taps: C2 keeps the accumulators in registers only through a single
        // loop; the channel and the tap inside it are stepped with integer counters.
        int taps = channels * kArea;
        int ai = aBase;
        int chan = bBase;
        int tap = 0;
        for (int p = 0; p < taps; p++, ai += aStride) {
            int bi = chan + tapOffsets[tap];
            FloatVector b0 = FloatVector.fromArray(VectorGemm.SPECIES, x, bi);
            FloatVector b1 = FloatVector.fromArray(VectorGemm.SPECIES, x, bi + l);
            FloatVector v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 1]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 2]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 3]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 4]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 5]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            if (++tap == kArea) {
                tap = 0;
                chan += channelStride;
            }
        }
        c00.intoArray(t, tile);
        c01.intoArray(t, tile + l);
        c10.intoArray(t, tile + nr);
        c11.intoArray(t, tile + nr + l);
        c20.intoArray(t, tile + 2 * nr);
        c21.intoArray(t, tile + 2 * nr + l);
        c30.intoArray(t, tile + 3 * nr);
        c31.intoArray(t, tile + 3 * nr + l);
        c40.intoArray(t, tile + 4 * nr);
        c41.intoArray(t, tile + 4 * nr + l);
        c50.intoArray(t, tile + 5 * nr);
        c51.intoArray(t, tile + 5 * nr + l);
    }

    /** A twelve-row tile ({@link VectorGemm#MR} is twelve): as {@link #microKernel6}, 24 sums in registers. */
    private static void microKernel12(float[] a, int aBase, float[] x, int bBase, int channels,
                                      int channelStride, int[] tapOffsets, int kArea, float[] t, int tile) {
        final int l = VectorGemm.L;
        final int nr = VectorGemm.NR;
        FloatVector z = FloatVector.zero(VectorGemm.SPECIES);
        FloatVector c00 = z;
        FloatVector c01 = z;
        FloatVector c10 = z;
        FloatVector c11 = z;
        FloatVector c20 = z;
        FloatVector c21 = z;
        FloatVector c30 = z;
        FloatVector c31 = z;
        FloatVector c40 = z;
        FloatVector c41 = z;
        FloatVector c50 = z;
        FloatVector c51 = z;
        FloatVector c60 = z;
        FloatVector c61 = z;
        FloatVector c70 = z;
        FloatVector c71 = z;
        FloatVector c80 = z;
        FloatVector c81 = z;
        FloatVector c90 = z;
        FloatVector c91 = z;
        FloatVector c100 = z;
        FloatVector c101 = z;
        FloatVector c110 = z;
        FloatVector c111 = z;
        // One flat loop over the taps: C2 keeps the accumulators in registers only through a single
        // loop; the channel and the tap inside it are stepped with integer counters.
        int taps = channels * kArea;
        int ai = aBase;
        int chan = bBase;
        int tap = 0;
        for (int p = 0; p < taps; p++, ai += VectorGemm.MR) {
            int bi = chan + tapOffsets[tap];
            FloatVector b0 = FloatVector.fromArray(VectorGemm.SPECIES, x, bi);
            FloatVector b1 = FloatVector.fromArray(VectorGemm.SPECIES, x, bi + l);
            FloatVector v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 1]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 2]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 3]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 4]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 5]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 6]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 7]);
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 8]);
            c80 = v.fma(b0, c80);
            c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 9]);
            c90 = v.fma(b0, c90);
            c91 = v.fma(b1, c91);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 10]);
            c100 = v.fma(b0, c100);
            c101 = v.fma(b1, c101);
            v = FloatVector.broadcast(VectorGemm.SPECIES, a[ai + 11]);
            c110 = v.fma(b0, c110);
            c111 = v.fma(b1, c111);
            if (++tap == kArea) {
                tap = 0;
                chan += channelStride;
            }
        }
        c00.intoArray(t, tile);
        c01.intoArray(t, tile + l);
        c10.intoArray(t, tile + nr);
        c11.intoArray(t, tile + nr + l);
        c20.intoArray(t, tile + 2 * nr);
        c21.intoArray(t, tile + 2 * nr + l);
        c30.intoArray(t, tile + 3 * nr);
        c31.intoArray(t, tile + 3 * nr + l);
        c40.intoArray(t, tile + 4 * nr);
        c41.intoArray(t, tile + 4 * nr + l);
        c50.intoArray(t, tile + 5 * nr);
        c51.intoArray(t, tile + 5 * nr + l);
        c60.intoArray(t, tile + 6 * nr);
        c61.intoArray(t, tile + 6 * nr + l);
        c70.intoArray(t, tile + 7 * nr);
        c71.intoArray(t, tile + 7 * nr + l);
        c80.intoArray(t, tile + 8 * nr);
        c81.intoArray(t, tile + 8 * nr + l);
        c90.intoArray(t, tile + 9 * nr);
        c91.intoArray(t, tile + 9 * nr + l);
        c100.intoArray(t, tile + 10 * nr);
        c101.intoArray(t, tile + 10 * nr + l);
        c110.intoArray(t, tile + 11 * nr);
        c111.intoArray(t, tile + 11 * nr + l);
    }
}
