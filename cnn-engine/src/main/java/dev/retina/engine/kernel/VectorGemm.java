package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed GEMM on the Vector API: {@code C (M x N) = epilogue(A (M x K) * B (K x N))}.
 *
 * <p>A (the constant operand: weights) is packed once at load time in row panels of {@link #MR}
 * rows ({@code panels[(panel * K + p) * MR + r]}). B is packed per call in column panels of
 * {@link #NR} columns, two vectors wide ({@code dst[(panel * K + p) * NR + j]}, zero past the last
 * column). The micro-kernel keeps an MR x NR tile of C in 2 * MR vector registers and, per step of
 * K, loads two vectors of B, broadcasts MR values of A and issues 2 * MR fused multiply-adds.
 *
 * <p>Blocking: columns in blocks of {@code nc} (a packed K x nc block stays in L2); each tile runs
 * over the whole of K with its sums in registers, its A and B panels read as contiguous streams, so
 * each output is one left-to-right chain of fused multiply-adds over K: the result never depends on
 * how the work is split over threads. (K was cut into slices of 256 with the partial sums in a tile
 * buffer until round 8: the micro-kernels then had two ways to start, and once both had run, C2
 * compiled every caller's loop slower: ResNet-18, batch 8, with its Gemm's K slices run on the whole
 * batch, 48.7-52.6 -> 41.4-42.1 images/s. The kernel runs at 165-172 GFLOP/s on streams from L2.)
 *
 * <p>The species must be a {@code static final} constant: only then does C2 compile the vector
 * operations to machine instructions.
 */
final class VectorGemm {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int L = SPECIES.length();
    /**
     * Floats a caller of {@link #epilogue} asks for beyond its own use of the chunk's scratch array:
     * the epilogue stores part vectors in the array's last vector before copying out their valid lanes.
     */
    static final int SPARE_FLOATS = L;
    /**
     * Rows of A per panel (rows of the register tile): twelve with 16-lane vectors, so 24 of the 32
     * vector registers hold sums and each loaded B vector feeds twelve fused multiply-adds (measured
     * in isolation on this machine's AVX-512 cores: a blocked GEMM ran at 153-156 GFLOP/s on one core
     * against 134-138 with six rows); six with narrower vectors, which have 16 registers.
     */
    static final int MR = L >= 16 ? 12 : 6;
    /** Rows of the half-height micro-kernel, used for panels with at most this many real rows. */
    static final int HALF_MR = 6;
    /** Columns of B per panel (columns of the register tile): two vectors. */
    static final int NR = 2 * L;
    /** Target size in floats of a packed B block. */
    private static final int B_BLOCK_FLOATS = 128 * 1024;
    /**
     * Below this many multiply-adds (or comparisons) a kernel runs on the calling thread: handing work
     * to a worker costs microseconds, more than such a layer takes.
     */
    static final long SERIAL_WORK = 200_000;

    private VectorGemm() {
    }

    /**
     * Packs a constant M x K operand in row panels of {@link #MR}, with the spare floats after the last
     * panel that the matrix-vector kernel ({@link VectorGemv}) reads.
     */
    static PackedMatrix pack(float[] a, int off, int rows, int cols, int rowStride, int colStride) {
        return PackedGemm.packPanels(a, off, rows, cols, rowStride, colStride, MR, VectorGemv.spareFloats());
    }

    /**
     * Row groups to cut each of {@code units} independent column blocks into, so that the work can be
     * shared evenly by {@code parallelism} threads: at least two tasks per thread, and a task count
     * that the threads divide (7 column blocks on 2 threads would otherwise leave one thread idle an
     * eighth of the time). Never more groups than {@code panels}.
     */
    static int rowGroups(int panels, int units, int parallelism) {
        int groups = Math.max(1, (2 * parallelism + units - 1) / units);
        while (groups < panels && (long) units * groups % parallelism != 0) {
            groups++;
        }
        return Math.min(panels, groups);
    }

    /** Columns per block for depth {@code k}: a multiple of NR. */
    static int blockColumns(int k, int n) {
        int nc = Math.max(NR, (B_BLOCK_FLOATS / Math.max(1, k)) / NR * NR);
        return Math.min(nc, (n + NR - 1) / NR * NR);
    }

    /** Scratch floats one chunk needs: a packed K x nc block, then one tile. */
    static int scratchFloats(int k, int nc) {
        return Math.addExact(Math.multiplyExact(k, nc), MR * NR);
    }

    /**
     * Packs {@code cols} columns from {@code col0} of the strided K x N view
     * {@code b[off + p * rowStride + j * colStride]} into NR-column panels at {@code dst[0..]}.
     */
    static void packMatrix(float[] b, int off, int rowStride, int colStride, int col0, int cols, int k,
                           float[] dst) {
        int panels = (cols + NR - 1) / NR;
        for (int panel = 0; panel < panels; panel++) {
            int start = panel * NR;
            int width = Math.min(NR, cols - start);
            int d = panel * k * NR;
            for (int p = 0; p < k; p++, d += NR) {
                int src = off + p * rowStride + (col0 + start) * colStride;
                if (colStride == 1) {
                    System.arraycopy(b, src, dst, d, width);
                } else {
                    for (int j = 0; j < width; j++) {
                        dst[d + j] = b[src + j * colStride];
                    }
                }
                if (width < NR) {
                    Arrays.fill(dst, d + width, d + NR, 0f);
                }
            }
        }
    }

    /**
     * Runs {@code tasks} tasks over the context's chunks, or all on the calling thread (as chunk 0)
     * when {@code work} is below {@link #SERIAL_WORK}. Either way each task computes the same values.
     */
    static void forTasks(ComputeContext ctx, int tasks, long work, ComputeContext.RangeBody body) {
        if (work < SERIAL_WORK) {
            body.run(0, 0, tasks);
        } else {
            ctx.parallelFor(tasks, body);
        }
    }

    /**
     * Multiplies with the work split over (column block, row-panel range) tasks.
     * B is the strided K x n view {@code b[bOff + p * bRowStride + j * bColStride]}.
     */
    static void multiply(PackedMatrix a, float[] b, int bOff, int bRowStride, int bColStride, int n,
                         float[] c, int cOff, int cRowStride, int cColStride, GemmEpilogue ep, ComputeContext ctx) {
        if (a.panels() == null || a.panelRows() != MR) {
            throw new IllegalStateException("matrix was packed for another kernel set (panel rows "
                    + a.panelRows() + ", expected " + MR + ")");
        }
        if (n == 1 && VectorGemv.SUPPORTED && (long) a.rows() * a.cols() >= VectorGemv.MIN_WORK) {
            // One column (a fully connected layer at batch 1): the 32-column tile would be 31/32 padding.
            VectorGemv.multiply(a, b, bOff, bRowStride, c, cOff, cRowStride, ep, ctx);
            return;
        }
        MultiplyBody body = ctx.body(MultiplyBody.class, MultiplyBody::new);
        body.set(a, b, bOff, bRowStride, bColStride, n, c, cOff, cRowStride, cColStride, ep, ctx);
        try {
            forTasks(ctx, body.colBlocks * body.rowGroups, (long) a.rows() * a.cols() * n, body);
        } finally {
            body.clear();
        }
    }

    /**
     * The loop body of {@link #multiply} over (column block, row group) tasks: one instance per
     * context ({@link ComputeContext#body}), so a call allocates nothing.
     */
    static final class MultiplyBody implements ComputeContext.RangeBody {
        private final TileEpilogue ep = new TileEpilogue();
        private PackedMatrix a;
        private float[] b;
        private int bOff;
        private int bRowStride;
        private int bColStride;
        private int n;
        private float[] c;
        private int cOff;
        private int cRowStride;
        private int cColStride;
        private ComputeContext ctx;
        private int nc;
        private int colBlocks;
        private int panels;
        private int rowGroups;
        private int scratchFloats;

        void set(PackedMatrix a, float[] b, int bOff, int bRowStride, int bColStride, int n, float[] c, int cOff,
                 int cRowStride, int cColStride, GemmEpilogue epilogue, ComputeContext ctx) {
            this.a = a;
            this.b = b;
            this.bOff = bOff;
            this.bRowStride = bRowStride;
            this.bColStride = bColStride;
            this.n = n;
            this.c = c;
            this.cOff = cOff;
            this.cRowStride = cRowStride;
            this.cColStride = cColStride;
            this.ctx = ctx;
            ep.set(epilogue);
            int k = a.cols();
            nc = blockColumns(k, n);
            colBlocks = (n + nc - 1) / nc;
            panels = a.panelCount();
            rowGroups = rowGroups(panels, colBlocks, ctx.parallelism());
            scratchFloats = scratchFloats(k, nc);
        }

        void clear() {
            a = null;
            b = null;
            c = null;
            ctx = null;
            ep.clear();
        }

        @Override
        public void run(int chunk, int from, int to) {
            int k = a.cols();
            float[] scratch = ctx.scratch(chunk, scratchFloats + SPARE_FLOATS);
            int packedBlock = -1;
            for (int t = from; t < to; t++) {
                int block = t / rowGroups;
                int group = t % rowGroups;
                int col0 = block * nc;
                int cols = Math.min(nc, n - col0);
                if (block != packedBlock) {
                    packMatrix(b, bOff, bRowStride, bColStride, col0, cols, k, scratch);
                    packedBlock = block;
                }
                int p0 = (int) ((long) panels * group / rowGroups);
                int p1 = (int) ((long) panels * (group + 1) / rowGroups);
                block(a, p0, p1, scratch, k * nc, col0, cols, c, cOff, cRowStride, cColStride, ep, 0);
            }
        }
    }

    /**
     * Multiplies row panels {@code [p0, p1)} of A with one packed column block of B held at the start
     * of {@code scratch}, each tile over the whole of K into the tile at {@code tileBase}. Row i of this
     * product takes the epilogue's bias of row {@code biasRow0 + i}.
     */
    static void block(PackedMatrix a, int p0, int p1, float[] scratch, int tileBase, int col0, int cols,
                      float[] c, int cOff, int cRowStride, int cColStride, TileEpilogue ep, int biasRow0) {
        int k = a.cols();
        float[] pa = a.panels();
        int bPanels = (cols + NR - 1) / NR;
        for (int bp = 0; bp < bPanels; bp++) {
            int width = Math.min(NR, cols - bp * NR);
            int bBase = bp * k * NR;
            boolean wholeWidth = width == NR && directStores(ep, cColStride);
            for (int panel = p0; panel < p1; panel++) {
                int row0 = panel * MR;
                int rows = Math.min(MR, a.rows() - row0);
                if (MR > HALF_MR && rows > HALF_MR) {
                    microKernel12(pa, panel * k * MR, scratch, bBase, k, scratch, tileBase);
                } else {
                    microKernel6(pa, panel * k * MR, MR, scratch, bBase, k, scratch, tileBase);
                }
                if (wholeWidth) {
                    storeWholeTile(scratch, tileBase, rows, c, cOff + row0 * cRowStride + col0 + bp * NR, cRowStride,
                            ep, biasRow0 + row0);
                } else {
                    epilogue(scratch, tileBase, row0, rows, col0 + bp * NR, width, c, cOff, cRowStride, cColStride,
                            ep, biasRow0);
                }
            }
        }
    }

    /**
     * Six rows of a tile over depth {@code kc}: rows {@code 0..5} of the panel at {@code a[aBase..]},
     * whose rows are {@code aStride} apart at each depth (the panel height, {@link #MR}), times the
     * packed B panel at {@code b[bBase..]} ({@link #NR} floats per depth), summed from zero and left at
     * {@code t[tile..]} (row r, column j at {@code tile + r * NR + j}). The whole tile when MR is six;
     * with twelve-row panels, a panel with at most six real rows (the last one of a matrix).
     */
    static void microKernel6(float[] a, int aBase, int aStride, float[] b, int bBase, int kc, float[] t, int tile) {
        FloatVector z = FloatVector.zero(SPECIES);
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
        int ai = aBase;
        int bi = bBase;
        for (int p = 0; p < kc; p++, ai += aStride, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(t, tile);
        c01.intoArray(t, tile + L);
        c10.intoArray(t, tile + NR);
        c11.intoArray(t, tile + NR + L);
        c20.intoArray(t, tile + 2 * NR);
        c21.intoArray(t, tile + 2 * NR + L);
        c30.intoArray(t, tile + 3 * NR);
        c31.intoArray(t, tile + 3 * NR + L);
        c40.intoArray(t, tile + 4 * NR);
        c41.intoArray(t, tile + 4 * NR + L);
        c50.intoArray(t, tile + 5 * NR);
        c51.intoArray(t, tile + 5 * NR + L);
    }

    /**
     * A twelve-row tile ({@link #MR} is twelve): as {@link #microKernel6}, with 24 of
     * the 32 vector registers holding sums, so each loaded B vector feeds twelve fused multiply-adds.
     */
    static void microKernel12(float[] a, int aBase, float[] b, int bBase, int kc, float[] t, int tile) {
        FloatVector z = FloatVector.zero(SPECIES);
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
        int ai = aBase;
        int bi = bBase;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SPECIES, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(SPECIES, a[ai + 8]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(SPECIES, a[ai + 9]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(SPECIES, a[ai + 10]);
            c100 = x.fma(b0, c100);
            c101 = x.fma(b1, c101);
            x = FloatVector.broadcast(SPECIES, a[ai + 11]);
            c110 = x.fma(b0, c110);
            c111 = x.fma(b1, c111);
        }
        c00.intoArray(t, tile);
        c01.intoArray(t, tile + L);
        c10.intoArray(t, tile + NR);
        c11.intoArray(t, tile + NR + L);
        c20.intoArray(t, tile + 2 * NR);
        c21.intoArray(t, tile + 2 * NR + L);
        c30.intoArray(t, tile + 3 * NR);
        c31.intoArray(t, tile + 3 * NR + L);
        c40.intoArray(t, tile + 4 * NR);
        c41.intoArray(t, tile + 4 * NR + L);
        c50.intoArray(t, tile + 5 * NR);
        c51.intoArray(t, tile + 5 * NR + L);
        c60.intoArray(t, tile + 6 * NR);
        c61.intoArray(t, tile + 6 * NR + L);
        c70.intoArray(t, tile + 7 * NR);
        c71.intoArray(t, tile + 7 * NR + L);
        c80.intoArray(t, tile + 8 * NR);
        c81.intoArray(t, tile + 8 * NR + L);
        c90.intoArray(t, tile + 9 * NR);
        c91.intoArray(t, tile + 9 * NR + L);
        c100.intoArray(t, tile + 10 * NR);
        c101.intoArray(t, tile + 10 * NR + L);
        c110.intoArray(t, tile + 11 * NR);
        c111.intoArray(t, tile + 11 * NR + L);
    }

    /**
     * True when whole MR x NR tiles can be written by {@link #storeWholeTile}: unit column stride, no
     * accumulation into C, a vectorisable activation.
     */
    static boolean directStores(TileEpilogue ep, int cColStride) {
        return cColStride == 1 && !ep.accumulate && VectorActivation.supports(ep.activation);
    }

    /**
     * Writes the first {@code rows} rows of a finished full-width tile (NR columns) from
     * {@code t[tile..]} into {@code c[cBase + r * cRowStride ..]}, row r with the bias of row
     * {@code biasRow + r}: the float operations of {@link TileEpilogue#finish} in its order (scale,
     * bias, residual at C's index, activation), two vectors a row, none of the per-vector checks of
     * {@link #epilogue}, same values. Only for epilogues that pass {@link #directStores}.
     */
    static void storeWholeTile(float[] t, int tile, int rows, float[] c, int cBase, int cRowStride,
                               TileEpilogue ep, int biasRow) {
        float alpha = ep.alpha;
        float[] bias = ep.bias;
        float[] residual = ep.residual;
        Activation act = ep.activation;
        for (int r = 0; r < rows; r++) {
            int src = tile + r * NR;
            int at = cBase + r * cRowStride;
            FloatVector v0 = FloatVector.fromArray(SPECIES, t, src);
            FloatVector v1 = FloatVector.fromArray(SPECIES, t, src + L);
            if (alpha != 1f) {
                v0 = v0.mul(alpha);
                v1 = v1.mul(alpha);
            }
            if (bias != null) {
                float b = bias[ep.biasOffset + biasRow + r];
                v0 = v0.add(b);
                v1 = v1.add(b);
            }
            if (residual != null) {
                v0 = v0.add(FloatVector.fromArray(SPECIES, residual, at));
                v1 = v1.add(FloatVector.fromArray(SPECIES, residual, at + L));
            }
            VectorActivation.apply(act, v0).intoArray(c, at);
            VectorActivation.apply(act, v1).intoArray(c, at + L);
        }
    }

    /**
     * As {@link #storeWholeTile}, for {@code width} (at most NR) columns of the tile from
     * {@code t[tile..]} to {@code c[cBase + r * cRowStride + col ..]}, where {@code col} is the run's
     * first column in its row of C: whole vectors, the last one's lanes past {@code width} stored too
     * when they end at or before column {@code spillTo} (the caller overwrites them later), else only
     * its valid lanes through the scratch array's last vector ({@link #SPARE_FLOATS}). The tiles of an
     * implicit convolution that cross an output row's end go through here run by run (JMH
     * {@code ConvBench}, one core: SqueezeNet 1.1's stem 57 GFLOP/s with them through {@link #epilogue}
     * and its per-vector checks, 60-61 this way).
     */
    static void storeTileRun(float[] t, int tile, int rows, int width, float[] c, int cBase, int col, int cRowStride,
                             int spillTo, TileEpilogue ep, int biasRow) {
        float alpha = ep.alpha;
        float[] bias = ep.bias;
        float[] residual = ep.residual;
        Activation act = ep.activation;
        int spare = t.length - L;
        for (int r = 0; r < rows; r++) {
            int src = tile + r * NR;
            int at = cBase + r * cRowStride + col;
            for (int j = 0; j < width; j += L) {
                if (residual != null && at + j + L > residual.length) {
                    // A part vector at the residual array's very end: lane by lane.
                    for (int q = 0; q < width - j; q++) {
                        c[at + j + q] = ep.finish(biasRow + r, t[src + j + q], c, residual, at + j + q);
                    }
                    continue;
                }
                FloatVector v = FloatVector.fromArray(SPECIES, t, src + j);
                if (alpha != 1f) {
                    v = v.mul(alpha);
                }
                if (bias != null) {
                    v = v.add(bias[ep.biasOffset + biasRow + r]);
                }
                if (residual != null) {
                    v = v.add(FloatVector.fromArray(SPECIES, residual, at + j));
                }
                boolean whole = j + L <= width || col + j + L <= spillTo;
                v = VectorActivation.apply(act, v);
                if (whole) {
                    v.intoArray(c, at + j);
                } else {
                    v.intoArray(t, spare);
                    System.arraycopy(t, spare, c, at + j, width - j);
                }
            }
        }
    }

    /**
     * Writes the finished tile: {@code rows x width} sums from {@code t[tile..]} through the epilogue
     * into C. With a unit column stride and a vectorisable activation, whole vectors are stored as
     * vectors and part vectors computed as vectors with only their valid lanes copied out; the rest
     * element by element with the same float operations in the same order
     * ({@link TileEpilogue#finish}), so all paths give identical values. Row i of the tile takes the
     * bias of row {@code biasRow0 + row0 + i}. The last {@link #L} floats of {@code t} must be free
     * (callers ask for {@link #SPARE_FLOATS} more scratch than they use).
     */
    static void epilogue(float[] t, int tile, int row0, int rows, int col0, int width,
                         float[] c, int cOff, int cRowStride, int cColStride, TileEpilogue ep, int biasRow0) {
        epilogue(t, tile, row0, rows, col0, width, c, cOff, cRowStride, cColStride, ep, biasRow0, col0 + width);
    }

    /**
     * As {@link #epilogue(float[], int, int, int, int, int, float[], int, int, int, TileEpilogue, int)},
     * except that a part vector is stored whole straight into C when its lanes end at or before column
     * {@code spillTo} of its row: the lanes past {@code width} then hold values for C elements that
     * the caller is certain to overwrite later with their own values, on this thread (the next
     * output row of an implicit convolution's block). Callers pass {@code col0 + width} for no spill,
     * and never spill when C is read back (accumulation, or a residual in the same array).
     */
    static void epilogue(float[] t, int tile, int row0, int rows, int col0, int width,
                         float[] c, int cOff, int cRowStride, int cColStride, TileEpilogue ep, int biasRow0,
                         int spillTo) {
        boolean vectorStore = cColStride == 1 && VectorActivation.supports(ep.activation);
        float[] residual = ep.residual;
        for (int r = 0; r < rows; r++) {
            int row = row0 + r;
            int base = cOff + row * cRowStride + col0 * cColStride;
            for (int j = 0; j < width; j += L) {
                int src = tile + r * NR + j;
                int valid = Math.min(L, width - j);
                // A part vector (rows narrower than a vector, tails of wider rows) is computed as a whole
                // vector when all its loads stay inside their arrays (the spare lanes read neighbouring
                // values and are discarded), then only its valid lanes are copied out.
                int end = base + j + L;
                boolean wholeLoads = valid == L || (src + L <= t.length && (!ep.accumulate || end <= c.length)
                        && (residual == null || end <= residual.length));
                if (vectorStore && wholeLoads) {
                    FloatVector v = FloatVector.fromArray(SPECIES, t, src);
                    if (ep.alpha != 1f) {
                        v = v.mul(ep.alpha);
                    }
                    if (ep.bias != null) {
                        v = v.add(ep.bias[ep.biasOffset + biasRow0 + row]);
                    }
                    if (ep.accumulate) {
                        v = v.add(FloatVector.fromArray(SPECIES, c, base + j));
                    }
                    if (residual != null) {
                        v = v.add(FloatVector.fromArray(SPECIES, residual, base + j));
                    }
                    v = VectorActivation.apply(ep.activation, v);
                    if (valid == L || col0 + j + L <= spillTo) {
                        v.intoArray(c, base + j);
                    } else {
                        // Masked stores are not compiled to vector instructions on Java 17: go through the
                        // last vector of the chunk's scratch array, which callers keep free (SPARE_FLOATS).
                        int spare = t.length - L;
                        v.intoArray(t, spare);
                        System.arraycopy(t, spare, c, base + j, valid);
                    }
                } else {
                    for (int q = 0; q < valid; q++) {
                        int idx = base + (j + q) * cColStride;
                        c[idx] = ep.finish(biasRow0 + row, t[src + q], c, residual, idx);
                    }
                }
            }
        }
    }

    /**
     * A reusable, mutable form of {@link GemmEpilogue} plus an optional residual (read at C's index
     * and added before the activation), owned by one loop body so a call allocates nothing. Set
     * before a parallel loop and only read inside it.
     */
    static final class TileEpilogue {
        float alpha = 1f;
        float[] bias;
        int biasOffset;
        boolean accumulate;
        Activation activation = Activation.NONE;
        float[] residual;

        void set(GemmEpilogue ep) {
            alpha = ep.alpha();
            bias = ep.bias();
            biasOffset = ep.biasOffset();
            accumulate = ep.accumulate();
            activation = ep.activation();
            residual = null;
        }

        /** A convolution's epilogue: bias per output channel, activation, optional residual. */
        void set(float[] bias, Activation activation, float[] residual) {
            alpha = 1f;
            this.bias = bias;
            biasOffset = 0;
            accumulate = false;
            this.activation = activation;
            this.residual = residual;
        }

        /** Drops the array references so a body does not keep a finished call's data alive. */
        void clear() {
            bias = null;
            residual = null;
        }

        /**
         * {@code act(alpha * acc + bias[biasOffset + i] + (accumulate ? c[idx] : 0) + residual[idx])}, in
         * the order of {@link GemmEpilogue#finish}.
         */
        float finish(int i, float acc, float[] c, float[] res, int idx) {
            float v = alpha == 1f ? acc : alpha * acc;
            if (bias != null) {
                v += bias[biasOffset + i];
            }
            if (accumulate) {
                v += c[idx];
            }
            if (res != null) {
                v += res[idx];
            }
            return activation.apply(v);
        }
    }

    /** Vector forms of {@link Activation#apply}, with the same comparisons so NaN is treated alike. */
    static final class VectorActivation {
        private VectorActivation() {
        }

        static boolean supports(Activation act) {
            return act.kind() != Activation.Kind.SIGMOID;
        }

        static FloatVector apply(Activation act, FloatVector x) {
            switch (act.kind()) {
                case NONE:
                    return x;
                case RELU: {
                    // x > 0 ? x : 0
                    VectorMask<Float> positive = x.compare(VectorOperators.GT, 0f);
                    return FloatVector.zero(SPECIES).blend(x, positive);
                }
                case CLIP: {
                    // low = x < alpha ? alpha : x; low > beta ? beta : low
                    FloatVector low = x.blend(act.alpha(), x.compare(VectorOperators.LT, act.alpha()));
                    return low.blend(act.beta(), low.compare(VectorOperators.GT, act.beta()));
                }
                case LEAKY_RELU: {
                    // x >= 0 ? x : alpha * x
                    VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
                    return x.blend(x.mul(act.alpha()), negative);
                }
                default:
                    throw new IllegalStateException("no vector form for activation " + act.kind());
            }
        }
    }
}
