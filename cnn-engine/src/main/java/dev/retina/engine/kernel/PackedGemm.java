package dev.retina.engine.kernel;

/**
 * Packed GEMM: {@code C (M x N) = epilogue(A (M x K) * B (K x N))}, A packed at load time in row
 * panels of {@link #MR} rows, B packed per call in column panels of {@link #NR} columns, so the
 * micro-kernel streams both contiguously and keeps an MR x NR tile of C in registers.
 *
 * <p>Blocking: columns are processed in blocks of {@code nc} (sized so a packed K x nc block stays
 * in cache); a task is one (column block, row-panel range) pair. K is never split, so each output is
 * one left-to-right dot product, independent of how work is divided.
 */
final class PackedGemm {

    static final int MR = 4;
    static final int NR = 4;
    /** Target size in floats of a packed B block. */
    private static final int B_BLOCK_FLOATS = 64 * 1024;

    private PackedGemm() {
    }

    /** Where the K x N right operand comes from; packs {@code cols} columns from {@code col0}. */
    interface BSource {
        /**
         * Writes panels of NR columns, each K rows deep: {@code dst[(panel * k + p) * NR + j]} =
         * B[p][col0 + panel * NR + j], zero past {@code cols}.
         */
        void pack(int col0, int cols, int k, float[] dst);
    }

    static BSource matrixSource(float[] b, int off, int rowStride, int colStride) {
        return (col0, cols, k, dst) -> {
            int panels = (cols + NR - 1) / NR;
            for (int panel = 0; panel < panels; panel++) {
                int jBase = col0 + panel * NR;
                int width = Math.min(NR, cols - panel * NR);
                int d = panel * k * NR;
                for (int p = 0; p < k; p++) {
                    int src = off + p * rowStride + jBase * colStride;
                    int j = 0;
                    for (; j < width; j++) {
                        dst[d + j] = b[src + j * colStride];
                    }
                    for (; j < NR; j++) {
                        dst[d + j] = 0f;
                    }
                    d += NR;
                }
            }
        };
    }

    static PackedMatrix pack(float[] a, int off, int rows, int cols, int rowStride, int colStride) {
        return packPanels(a, off, rows, cols, rowStride, colStride, MR);
    }

    /** Packs a strided rows x cols matrix in row panels of {@code mr} rows (layout in {@link PackedMatrix}). */
    static PackedMatrix packPanels(float[] a, int off, int rows, int cols, int rowStride, int colStride, int mr) {
        return packPanels(a, off, rows, cols, rowStride, colStride, mr, 0);
    }

    /**
     * Packs like {@link #packPanels(float[], int, int, int, int, int, int)} and leaves {@code spare} zero
     * floats after the last panel, for kernels whose vector loads run past a panel's last row.
     */
    static PackedMatrix packPanels(float[] a, int off, int rows, int cols, int rowStride, int colStride, int mr,
                                   int spare) {
        int panels = (rows + mr - 1) / mr;
        float[] packed = new float[Math.addExact(Math.multiplyExact(Math.multiplyExact(panels, cols), mr), spare)];
        for (int panel = 0; panel < panels; panel++) {
            for (int p = 0; p < cols; p++) {
                int d = (panel * cols + p) * mr;
                for (int r = 0; r < mr; r++) {
                    int i = panel * mr + r;
                    packed[d + r] = i < rows ? a[off + i * rowStride + p * colStride] : 0f;
                }
            }
        }
        return new PackedMatrix(rows, cols, null, packed, mr);
    }

    /** Columns per block for depth {@code k}: a multiple of NR. */
    static int blockColumns(int k, int n) {
        int nc = Math.max(NR, (B_BLOCK_FLOATS / Math.max(1, k)) / NR * NR);
        return Math.min(nc, (n + NR - 1) / NR * NR);
    }

    /** Multiplies with the work split over the context's chunks. */
    static void multiply(PackedMatrix a, BSource b, int n, float[] c, int cOff, int cRowStride,
                         int cColStride, GemmEpilogue ep, ComputeContext ctx) {
        if (a.panels() == null || a.panelRows() != MR) {
            throw new IllegalStateException("matrix was packed for another kernel set (panel rows "
                    + a.panelRows() + ", expected " + MR + ")");
        }
        int k = a.cols();
        int nc = blockColumns(k, n);
        int colBlocks = (n + nc - 1) / nc;
        int panels = a.panelCount();
        int rowGroups = Math.min(panels, Math.max(1, (2 * ctx.parallelism() + colBlocks - 1) / colBlocks));
        int tasks = colBlocks * rowGroups;
        ctx.parallelFor(tasks, (chunk, from, to) -> {
            float[] packedB = ctx.scratch(chunk, k * nc);
            int packedBlock = -1;
            for (int t = from; t < to; t++) {
                int block = t / rowGroups;
                int group = t % rowGroups;
                int col0 = block * nc;
                int cols = Math.min(nc, n - col0);
                if (block != packedBlock) {
                    b.pack(col0, cols, k, packedB);
                    packedBlock = block;
                }
                int p0 = (int) ((long) panels * group / rowGroups);
                int p1 = (int) ((long) panels * (group + 1) / rowGroups);
                block(a, p0, p1, packedB, col0, cols, c, cOff, cRowStride, cColStride, ep);
            }
        });
    }

    /** Multiplies row panels {@code [p0, p1)} of A with one packed column block of B. */
    static void block(PackedMatrix a, int p0, int p1, float[] packedB, int col0, int cols,
                      float[] c, int cOff, int cRowStride, int cColStride, GemmEpilogue ep) {
        int k = a.cols();
        float[] pa = a.panels();
        int bPanels = (cols + NR - 1) / NR;
        for (int panel = p0; panel < p1; panel++) {
            int rows = Math.min(MR, a.rows() - panel * MR);
            int aBase = panel * k * MR;
            for (int bp = 0; bp < bPanels; bp++) {
                int width = Math.min(NR, cols - bp * NR);
                microKernel(pa, aBase, packedB, bp * k * NR, k, panel * MR, rows, col0 + bp * NR, width,
                        c, cOff, cRowStride, cColStride, ep);
            }
        }
    }

    /** One MR x NR tile: sixteen running sums over K, then the epilogue for the valid part. */
    private static void microKernel(float[] a, int aBase, float[] b, int bBase, int k, int row0, int rows,
                                    int col0, int width, float[] c, int cOff, int cRowStride, int cColStride,
                                    GemmEpilogue ep) {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        int ai = aBase;
        int bi = bBase;
        for (int p = 0; p < k; p++, ai += MR, bi += NR) {
            float b0 = b[bi];
            float b1 = b[bi + 1];
            float b2 = b[bi + 2];
            float b3 = b[bi + 3];
            float a0 = a[ai];
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            float a1 = a[ai + 1];
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            float a2 = a[ai + 2];
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            float a3 = a[ai + 3];
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
        }
        store(c, cOff, cRowStride, cColStride, ep, row0, col0, rows, width, 0, c00, c01, c02, c03);
        store(c, cOff, cRowStride, cColStride, ep, row0, col0, rows, width, 1, c10, c11, c12, c13);
        store(c, cOff, cRowStride, cColStride, ep, row0, col0, rows, width, 2, c20, c21, c22, c23);
        store(c, cOff, cRowStride, cColStride, ep, row0, col0, rows, width, 3, c30, c31, c32, c33);
    }

    private static void store(float[] c, int cOff, int cRowStride, int cColStride, GemmEpilogue ep,
                              int row0, int col0, int rows, int width, int r,
                              float v0, float v1, float v2, float v3) {
        if (r >= rows) {
            return;
        }
        int i = row0 + r;
        int base = cOff + i * cRowStride + col0 * cColStride;
        storeOne(c, base, ep, i, v0);
        if (width > 1) {
            storeOne(c, base + cColStride, ep, i, v1);
        }
        if (width > 2) {
            storeOne(c, base + 2 * cColStride, ep, i, v2);
        }
        if (width > 3) {
            storeOne(c, base + 3 * cColStride, ep, i, v3);
        }
    }

    private static void storeOne(float[] c, int index, GemmEpilogue ep, int row, float acc) {
        c[index] = ep.finish(row, acc, c[index]);
    }
}
