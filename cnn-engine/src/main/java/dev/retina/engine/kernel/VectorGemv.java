package dev.retina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector product on the Vector API for a GEMM with one column ({@code n = 1}: a fully
 * connected layer at batch 1): {@code c[i] = epilogue(sum_p A[i][p] * b[p])}.
 *
 * <p>A is the matrix packed by {@link VectorGemm#pack}: row panels of {@link VectorGemm#MR} rows
 * stored column by column, so the MR values of one panel at depth p are contiguous. One vector of
 * {@link #LANES} lanes loaded at that place holds the panel's MR rows (the spare lanes hold the
 * following depths' values and are discarded); it is multiplied by a broadcast of {@code b[p]} and
 * added to the panel's accumulator in one fused multiply-add. Each output is therefore the same
 * left-to-right chain of fused multiply-adds over K that the packed GEMM's micro-kernel computes,
 * so a column gives bit-identical values whether it is multiplied alone or in a batch, and the
 * split of panels over threads does not change any value. The GEMM's 32-column tile would spend 31
 * of its 32 columns on padding here.
 *
 * <p>{@link VectorGemm#pack} leaves {@code LANES - MR} spare floats after the last panel so the last
 * load stays inside the array.
 */
final class VectorGemv {

    /**
     * The GEMM's species. A narrower one would fit a panel better, but on Java 17 a second vector shape
     * in the same JVM pollutes the type profiles inside the Vector API's shared code, and C2 then stops
     * compiling the GEMM and convolution micro-kernels to vector instructions (every vector boxed).
     */
    static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    /** Lanes per vector. */
    static final int LANES = SPECIES.length();
    /** Whether one vector holds a panel's {@link VectorGemm#MR} rows; without it the GEMM tile is used. */
    static final boolean SUPPORTED = LANES >= VectorGemm.MR;
    /**
     * Fewest multiply-adds for which {@link VectorGemm#multiply} takes this path. Below it the tile's
     * waste costs well under a microsecond, and a loop that short runs so few iterations per inference
     * that C2 compiles it only after several thousand inferences, boxing every vector until then.
     */
    static final long MIN_WORK = 4096;
    /** Panels multiplied side by side: independent chains hide the fused multiply-add's latency. */
    static final int GROUP = 4;

    private VectorGemv() {
    }

    /** Spare floats a packed matrix needs after its last panel for the last vector load. */
    static int spareFloats() {
        return Math.max(0, LANES - VectorGemm.MR);
    }

    /**
     * {@code c[cOff + i * cRowStride] = epilogue(sum_p A[i][p] * b[bOff + p * bRowStride])} for every
     * row i of A, with the work split over groups of panels.
     */
    static void multiply(PackedMatrix a, float[] b, int bOff, int bRowStride, float[] c, int cOff, int cRowStride,
                         GemmEpilogue ep, ComputeContext ctx) {
        if (!SUPPORTED) {
            throw new IllegalStateException("vectors of " + LANES + " lanes cannot hold a panel of "
                    + VectorGemm.MR + " rows");
        }
        int spare = a.panels().length - a.panelCount() * a.cols() * VectorGemm.MR;
        if (spare < spareFloats()) {
            throw new IllegalStateException("packed matrix has " + spare + " spare floats after its last panel, "
                    + "expected at least " + spareFloats() + " (pack it with VectorGemm.pack)");
        }
        GemvBody body = ctx.body(GemvBody.class, GemvBody::new);
        body.set(a, b, bOff, bRowStride, c, cOff, cRowStride, ep, ctx);
        try {
            int groups = (a.panelCount() + GROUP - 1) / GROUP;
            // Small products on the calling thread, as VectorGemm.forTasks does.
            if ((long) a.rows() * a.cols() < VectorGemm.SERIAL_WORK) {
                body.run(0, 0, groups);
            } else {
                ctx.parallelFor(groups, body);
            }
        } finally {
            body.clear();
        }
    }

    /** The loop body over groups of {@link #GROUP} panels: one instance per context, so a call allocates nothing. */
    static final class GemvBody implements ComputeContext.RangeBody {
        private final VectorGemm.TileEpilogue ep = new VectorGemm.TileEpilogue();
        private PackedMatrix a;
        private float[] b;
        private int bOff;
        private int bRowStride;
        private float[] c;
        private int cOff;
        private int cRowStride;
        private ComputeContext ctx;

        void set(PackedMatrix a, float[] b, int bOff, int bRowStride, float[] c, int cOff, int cRowStride,
                 GemmEpilogue epilogue, ComputeContext ctx) {
            this.a = a;
            this.ctx = ctx;
            this.b = b;
            this.bOff = bOff;
            this.bRowStride = bRowStride;
            this.c = c;
            this.cOff = cOff;
            this.cRowStride = cRowStride;
            ep.set(epilogue);
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
            float[] sums = ctx.scratch(chunk, GROUP * LANES);
            int panels = a.panelCount();
            for (int g = from; g < to; g++) {
                int p0 = g * GROUP;
                int p1 = Math.min(panels, p0 + GROUP);
                if (p1 - p0 == GROUP) {
                    dotGroup(a.panels(), a.cols(), p0, b, bOff, bRowStride, sums);
                } else {
                    for (int panel = p0; panel < p1; panel++) {
                        dotPanel(a.panels(), a.cols(), panel, b, bOff, bRowStride, sums, (panel - p0) * LANES);
                    }
                }
                store(sums, p0, p1);
            }
        }

        /** The epilogue of panels {@code [p0, p1)}, whose sums start at {@code sums[0]}, one vector per panel. */
        private void store(float[] sums, int p0, int p1) {
            int rows = a.rows();
            for (int panel = p0; panel < p1; panel++) {
                int row0 = panel * VectorGemm.MR;
                int valid = Math.min(VectorGemm.MR, rows - row0);
                int s = (panel - p0) * LANES;
                for (int r = 0; r < valid; r++) {
                    int idx = cOff + (row0 + r) * cRowStride;
                    c[idx] = ep.finish(row0 + r, sums[s + r], c, null, idx);
                }
            }
        }
    }

    /**
     * Four panels from {@code p0} at once; their sums go to {@code sums[0 .. 4 * LANES)}, one vector
     * per panel (lanes past MR are meaningless).
     */
    private static void dotGroup(float[] pa, int k, int p0, float[] b, int bOff, int bRowStride, float[] sums) {
        int stride = k * VectorGemm.MR;
        int a0 = p0 * stride;
        int a1 = a0 + stride;
        int a2 = a1 + stride;
        int a3 = a2 + stride;
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int bi = bOff;
        for (int p = 0; p < k; p++, bi += bRowStride) {
            FloatVector x = FloatVector.broadcast(SPECIES, b[bi]);
            int d = p * VectorGemm.MR;
            s0 = FloatVector.fromArray(SPECIES, pa, a0 + d).fma(x, s0);
            s1 = FloatVector.fromArray(SPECIES, pa, a1 + d).fma(x, s1);
            s2 = FloatVector.fromArray(SPECIES, pa, a2 + d).fma(x, s2);
            s3 = FloatVector.fromArray(SPECIES, pa, a3 + d).fma(x, s3);
        }
        s0.intoArray(sums, 0);
        s1.intoArray(sums, LANES);
        s2.intoArray(sums, 2 * LANES);
        s3.intoArray(sums, 3 * LANES);
    }

    /** One panel's sums into {@code sums[at .. at + LANES)}. */
    private static void dotPanel(float[] pa, int k, int panel, float[] b, int bOff, int bRowStride, float[] sums,
                                 int at) {
        int base = panel * k * VectorGemm.MR;
        FloatVector s = FloatVector.zero(SPECIES);
        int bi = bOff;
        for (int p = 0; p < k; p++, bi += bRowStride) {
            s = FloatVector.fromArray(SPECIES, pa, base + p * VectorGemm.MR).fma(FloatVector.broadcast(SPECIES, b[bi]), s);
        }
        s.intoArray(sums, at);
    }
}
