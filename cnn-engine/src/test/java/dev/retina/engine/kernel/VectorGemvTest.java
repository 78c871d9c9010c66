package dev.retina.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one-column GEMM path ({@link VectorGemv}): close to the scalar reference, and bit-identical to
 * the same column multiplied inside a wider product by the packed GEMM tile (so an image gives the
 * same scores alone as in a batch) and across thread counts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VectorGemvTest {

    private final Kernels scalar = new ScalarKernels();
    private final Kernels vector = KernelProvider.byName("vector");

    @Test
    void oneColumnMatchesTheReferenceAndTheSameColumnInsideAWiderProduct() {
        SplittableRandom r = new SplittableRandom(29);
        // Row counts around the panel (6) and panel-group (24) sizes, depths below and above one K slice,
        // plus a classifier head (1000 x 512) large enough to be split over threads.
        int[][] shapes = {{1, 1}, {5, 3}, {6, 7}, {7, 84}, {10, 84}, {23, 120}, {24, 400}, {25, 1},
            {84, 120}, {120, 400}, {31, 700}, {1000, 512}};
        for (int trial = 0; trial < shapes.length * 3; trial++) {
            int m = shapes[trial % shapes.length][0];
            int k = shapes[trial % shapes.length][1];
            int wide = 2 + r.nextInt(40);
            int col = r.nextInt(wide);
            boolean transA = r.nextBoolean();
            float[] a = random(r, m * k);
            // B is K x wide, row-major: column `col` read with row stride `wide` is the one-column operand.
            float[] b = random(r, k * wide);
            float[] bias = r.nextBoolean() ? random(r, m + 3) : null;
            GemmEpilogue ep = new GemmEpilogue(r.nextBoolean() ? 1f : 0.5f, bias, bias == null ? 0 : r.nextInt(4),
                    r.nextBoolean(), r.nextInt(5) == 0 ? Activation.SIGMOID : randomActivation(r));
            String what = "m=" + m + " k=" + k + " " + ep.activation() + " accumulate=" + ep.accumulate();
            float[] c0 = random(r, m * wide);

            float[] expected = c0.clone();
            scalar.gemm(scalar.packMatrix(a, 0, m, k, transA ? 1 : k, transA ? m : 1), b, col, wide, 1, 1,
                    expected, col, wide, 1, ep, ComputeContext.sequential());
            PackedMatrix packed = vector.packMatrix(a, 0, m, k, transA ? 1 : k, transA ? m : 1);
            float[] single = c0.clone();
            vector.gemm(packed, b, col, wide, 1, 1, single, col, wide, 1, ep, ComputeContext.sequential());
            assertClose(single, expected, what);

            // The kernel itself, also below the size from which the GEMM hands one column to it.
            float[] direct = c0.clone();
            VectorGemv.multiply(packed, b, col, wide, direct, col, wide, ep, ComputeContext.sequential());
            assertThat(direct).as("%s, matrix-vector kernel against the GEMM's choice", what).isEqualTo(single);

            float[] inBatch = c0.clone();
            vector.gemm(packed, b, 0, wide, 1, wide, inBatch, 0, wide, 1, ep, ComputeContext.sequential());
            for (int i = 0; i < m; i++) {
                assertThat(single[i * wide + col]).as("%s, row %d alone vs in %d columns", what, i, wide)
                        .isEqualTo(inBatch[i * wide + col]);
                for (int j = 0; j < wide; j++) {
                    if (j != col) {
                        assertThat(single[i * wide + j]).as("%s, column %d untouched", what, j)
                                .isEqualTo(c0[i * wide + j]);
                    }
                }
            }

            float[] threaded = c0.clone();
            vector.gemm(packed, b, col, wide, 1, 1, threaded, col, wide, 1, ep, new ThreadedContext(3));
            assertThat(threaded).as("%s, three threads against one", what).isEqualTo(single);
        }
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        SplittableRandom r = new SplittableRandom(31);
        int m = 120;
        int k = 400;
        PackedMatrix packed = vector.packMatrix(random(r, m * k), 0, m, k, k, 1);
        float[] x = random(r, k);
        float[] c = new float[m];
        GemmEpilogue ep = new GemmEpilogue(1f, random(r, m), 0, false, Activation.RELU);
        ComputeContext ctx = ComputeContext.sequential();
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        // Until C2 compiles the loop, every vector is boxed; C2 compiles in the background.
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (int i = 0; i < 5000 || System.nanoTime() < warmUntil; i++) {
            vector.gemm(packed, x, 0, 1, 1, 1, c, 0, 1, 1, ep, ctx);
        }
        int calls = 1000;
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
            vector.gemm(packed, x, 0, 1, 1, 1, c, 0, 1, 1, ep, ctx);
        }
        long perCall = (mx.getCurrentThreadAllocatedBytes() - before) / calls;
        assertThat(perCall).as("bytes allocated per %d x %d matrix-vector call", m, k).isZero();
    }

    @Test
    void matrixWithoutSpareFloatsAfterItsLastPanelIsRefused() {
        PackedMatrix tight = PackedGemm.packPanels(new float[12], 0, 3, 4, 4, 1, VectorGemm.MR);
        float[] c = new float[3];
        assertThatThrownBy(() -> VectorGemv.multiply(tight, new float[4], 0, 1, c, 0, 1, GemmEpilogue.NONE,
                ComputeContext.sequential()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0 spare floats")
                .hasMessageContaining("expected at least " + VectorGemv.spareFloats());
    }

    private static Activation randomActivation(SplittableRandom r) {
        return new Activation[] {Activation.NONE, Activation.RELU, Activation.clip(0, 0.5f),
            Activation.leakyRelu(0.1f)}[r.nextInt(4)];
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]) / Math.max(1f, Math.abs(expected[i])));
        }
        assertThat(max).as("max relative difference, %s", what).isLessThan(1e-4f);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
