package dev.retina.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Vector API kernels against the scalar reference on seeded random shapes (odd sizes, every
 * stride and padding, K deeper than one K slice), and bit-identical across thread counts.
 * Surefire starts the JVM with {@code --add-modules jdk.incubator.vector}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VectorKernelsTest {

    private static final float TOLERANCE = 1e-4f;

    private final Kernels scalar = new ScalarKernels();
    private final Kernels vector = KernelProvider.byName("vector");

    @Test
    void providerFindsTheModuleAndNamesTheSet() {
        assertThat(KernelProvider.vectorAvailable()).isTrue();
        assertThat(vector.name()).isEqualTo("vector");
        assertThat(vector).isInstanceOf(VectorKernels.class);
        assertThatThrownBy(() -> KernelProvider.byName("simd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'scalar', 'fast' or 'vector'")
                .hasMessageContaining("found 'simd'");
    }

    @Test
    void convolutionMatchesTheReferenceForRandomGeometries() {
        SplittableRandom r = new SplittableRandom(99);
        for (int trial = 0; trial < 150; trial++) {
            int group = new int[] {1, 1, 2, 3}[r.nextInt(4)];
            boolean depthwise = r.nextInt(4) == 0;
            boolean deep = r.nextInt(6) == 0;
            int inPerGroup = depthwise ? 1 : deep ? 20 + r.nextInt(50) : 1 + r.nextInt(6);
            int outPerGroup = depthwise ? 1 : 1 + r.nextInt(deep ? 20 : 15);
            if (depthwise) {
                group = 1 + r.nextInt(6);
            }
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int sh = 1 + r.nextInt(3);
            int sw = r.nextBoolean() ? 1 : 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(2);
            int dw = 1 + r.nextInt(2);
            int pt = r.nextInt(kh);
            int pl = r.nextInt(kw);
            int pb = r.nextInt(kh);
            int pr = r.nextInt(kw);
            int inH = dh * (kh - 1) + 1 + r.nextInt(deep ? 6 : 12);
            int inW = dw * (kw - 1) + 1 + r.nextInt(deep ? 8 : 45);
            int batch = 1 + r.nextInt(3);
            int outH = ConvGeometry.outputSize(inH, kh, sh, pt, pb, dh);
            int outW = ConvGeometry.outputSize(inW, kw, sw, pl, pr, dw);
            ConvGeometry g = new ConvGeometry(inPerGroup * group, inH, inW, outPerGroup * group, outH, outW, kh, kw,
                    sh, sw, pt, pl, dh, dw, group);
            float[] w = random(r, g.outChannels() * inPerGroup * kh * kw);
            float[] bias = r.nextBoolean() ? random(r, g.outChannels()) : null;
            float[] in = random(r, batch * g.inChannels() * inH * inW);
            Activation act = randomActivation(r);
            float[] expected = new float[batch * g.outChannels() * outH * outW];
            scalar.conv2d(g, scalar.prepareConv(w, bias, g.outChannels(), inPerGroup, kh, kw, group), act, in,
                    expected, batch, ComputeContext.sequential());
            ConvWeights prepared = vector.prepareConv(w, bias, g.outChannels(), inPerGroup, kh, kw, group);
            float[] single = new float[expected.length];
            vector.conv2d(g, prepared, act, in, single, batch, ComputeContext.sequential());
            assertClose(single, expected, "trial " + trial + " " + g + " " + act);
            for (int threads : new int[] {2, 3}) {
                float[] actual = new float[expected.length];
                vector.conv2d(g, prepared, act, in, actual, batch, new ThreadedContext(threads));
                assertThat(actual).as("trial %d threads %d against one thread", trial, threads).isEqualTo(single);
            }
        }
    }

    @Test
    void pointwiseConvolutionOfADeepLayerMatchesTheReference() {
        SplittableRandom r = new SplittableRandom(5);
        // K = 600 spans three K slices; N = 7 * 7 leaves a partial column panel.
        ConvGeometry g = new ConvGeometry(600, 7, 7, 37, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        float[] w = random(r, 37 * 600);
        float[] bias = random(r, 37);
        float[] in = random(r, 2 * 600 * 49);
        float[] expected = new float[2 * 37 * 49];
        scalar.conv2d(g, scalar.prepareConv(w, bias, 37, 600, 1, 1, 1), Activation.RELU, in, expected, 2,
                ComputeContext.sequential());
        float[] actual = new float[expected.length];
        vector.conv2d(g, vector.prepareConv(w, bias, 37, 600, 1, 1, 1), Activation.RELU, in, actual, 2,
                new ThreadedContext(2));
        assertClose(actual, expected, g.toString());
    }

    @Test
    void gemmMatchesTheReferenceForRandomShapesStridesAndEpilogues() {
        SplittableRandom r = new SplittableRandom(17);
        for (int trial = 0; trial < 100; trial++) {
            int m = 1 + r.nextInt(45);
            int n = 1 + r.nextInt(80);
            int k = 1 + r.nextInt(700);
            boolean transA = r.nextBoolean();
            boolean transB = r.nextBoolean();
            boolean transC = r.nextBoolean();
            float[] a = random(r, m * k);
            float[] b = random(r, k * n);
            float[] bias = r.nextBoolean() ? random(r, m + 3) : null;
            GemmEpilogue ep = new GemmEpilogue(r.nextBoolean() ? 1f : 0.5f, bias, bias == null ? 0 : r.nextInt(4),
                    r.nextBoolean(), r.nextInt(5) == 0 ? Activation.SIGMOID : randomActivation(r));
            float[] c0 = random(r, m * n);
            int cRs = transC ? 1 : n;
            int cCs = transC ? m : 1;
            float[] expected = c0.clone();
            scalar.gemm(scalar.packMatrix(a, 0, m, k, transA ? 1 : k, transA ? m : 1), b, 0, transB ? 1 : n,
                    transB ? k : 1, n, expected, 0, cRs, cCs, ep, ComputeContext.sequential());
            PackedMatrix packed = vector.packMatrix(a, 0, m, k, transA ? 1 : k, transA ? m : 1);
            float[] single = c0.clone();
            vector.gemm(packed, b, 0, transB ? 1 : n, transB ? k : 1, n, single, 0, cRs, cCs, ep,
                    ComputeContext.sequential());
            String what = "trial " + trial + " m=" + m + " n=" + n + " k=" + k + " " + ep.activation();
            assertClose(single, expected, what);
            float[] threaded = c0.clone();
            vector.gemm(packed, b, 0, transB ? 1 : n, transB ? k : 1, n, threaded, 0, cRs, cCs, ep,
                    new ThreadedContext(3));
            assertThat(threaded).as("%s, three threads against one", what).isEqualTo(single);
        }
    }

    @Test
    void activationsTreatNanAndSignedZeroLikeTheReference() {
        float[] a = {1f, 1f, 1f};
        float[] b = {Float.NaN, -0f, 2f, Float.NaN, -0f, 2f, Float.NaN, -0f, 2f};
        for (Activation act : new Activation[] {Activation.RELU, Activation.clip(-1f, 1f), Activation.leakyRelu(0.5f),
                Activation.NONE}) {
            // 1 x 3 times 3 x 3: a partial vector, finished lane by lane.
            float[] expected = new float[3];
            float[] actual = new float[3];
            GemmEpilogue ep = new GemmEpilogue(1f, null, 0, false, act);
            scalar.gemm(scalar.packMatrix(a, 0, 1, 3, 3, 1), b, 0, 3, 1, 3, expected, 0, 3, 1, ep,
                    ComputeContext.sequential());
            vector.gemm(vector.packMatrix(a, 0, 1, 3, 3, 1), b, 0, 3, 1, 3, actual, 0, 3, 1, ep,
                    ComputeContext.sequential());
            assertThat(actual).as("%s", act).isEqualTo(expected);
            // 1 x 1 times 1 x L: one whole vector, finished by the vector epilogue.
            float[] wide = new float[VectorGemm.L];
            float[] wideIn = new float[VectorGemm.L];
            for (int i = 0; i < wideIn.length; i++) {
                wideIn[i] = new float[] {Float.NaN, -0f, 0f, -3f, 7f}[i % 5];
            }
            float[] wideExpected = new float[wide.length];
            scalar.gemm(scalar.packMatrix(new float[] {1f}, 0, 1, 1, 1, 1), wideIn, 0, wideIn.length, 1,
                    wideIn.length, wideExpected, 0, wide.length, 1, ep, ComputeContext.sequential());
            vector.gemm(vector.packMatrix(new float[] {1f}, 0, 1, 1, 1, 1), wideIn, 0, wideIn.length, 1,
                    wideIn.length, wide, 0, wide.length, 1, ep, ComputeContext.sequential());
            assertThat(wide).as("full vector, %s", act).isEqualTo(wideExpected);
        }
    }

    @Test
    void maxPoolingMatchesTheReferenceIncludingNan() {
        SplittableRandom r = new SplittableRandom(31);
        for (int trial = 0; trial < 120; trial++) {
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int sh = 1 + r.nextInt(3);
            int sw = 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(2);
            int dw = 1 + r.nextInt(2);
            int pt = r.nextInt(kh);
            int pl = r.nextInt(kw);
            int pb = r.nextInt(kh);
            int pr = r.nextInt(kw);
            int inH = dh * (kh - 1) + 1 + r.nextInt(12);
            int inW = dw * (kw - 1) + 1 + r.nextInt(50);
            boolean ceil = r.nextBoolean();
            PoolGeometry g = new PoolGeometry(inH, inW, PoolGeometry.outputSize(inH, kh, sh, pt, pb, dh, ceil),
                    PoolGeometry.outputSize(inW, kw, sw, pl, pr, dw, ceil), kh, kw, sh, sw, pt, pl, pb, pr, dh, dw);
            int planes = 1 + r.nextInt(5);
            float[] in = random(r, planes * inH * inW);
            for (int i = 0; i < in.length; i++) {
                if (r.nextInt(200) == 0) {
                    in[i] = Float.NaN;
                }
            }
            float[] expected = new float[planes * g.outH() * g.outW()];
            scalar.maxPool2d(g, in, expected, planes, ComputeContext.sequential());
            float[] actual = new float[expected.length];
            vector.maxPool2d(g, in, actual, planes, new ThreadedContext(2));
            for (int i = 0; i < expected.length; i++) {
                // == rather than equals: the reference may keep -0 where the vector maximum gives +0.
                boolean same = actual[i] == expected[i] || Float.isNaN(actual[i]) && Float.isNaN(expected[i]);
                assertThat(same).as("trial %d %s element %d: %s vs reference %s", trial, g, i, actual[i], expected[i])
                        .isTrue();
            }
        }
    }

    /**
     * Rows without horizontal padding (SqueezeNet's 3 x 3 / 2 pools) take the whole-vector path: every
     * width from one vector to several plus a tail, strides 1 and 2, top and bottom padding (rows with
     * fewer valid input rows), floor and ceil sizes (ceil ones may leave the fast path), NaN inputs.
     */
    @Test
    void maxPoolingWithoutSidePaddingMatchesTheReference() {
        SplittableRandom r = new SplittableRandom(57);
        for (int inW = 16; inW <= 130; inW += 1 + r.nextInt(3)) {
            int k = 2 + r.nextInt(2);
            int sw = 1 + r.nextInt(2);
            int sh = 1 + r.nextInt(2);
            int pt = r.nextInt(k);
            int pb = r.nextInt(k);
            int inH = k + r.nextInt(8);
            boolean ceil = r.nextBoolean();
            PoolGeometry g = new PoolGeometry(inH, inW, PoolGeometry.outputSize(inH, k, sh, pt, pb, 1, ceil),
                    PoolGeometry.outputSize(inW, k, sw, 0, 0, 1, ceil), k, k, sh, sw, pt, 0, pb, 0, 1, 1);
            int planes = 1 + r.nextInt(4);
            float[] in = random(r, planes * inH * inW);
            for (int i = 0; i < in.length; i++) {
                if (r.nextInt(300) == 0) {
                    in[i] = Float.NaN;
                }
            }
            float[] expected = new float[planes * g.outH() * g.outW()];
            scalar.maxPool2d(g, in, expected, planes, ComputeContext.sequential());
            float[] actual = new float[expected.length];
            vector.maxPool2d(g, in, actual, planes, ThreadedContext.reversed(2));
            for (int i = 0; i < expected.length; i++) {
                boolean same = actual[i] == expected[i] || Float.isNaN(actual[i]) && Float.isNaN(expected[i]);
                assertThat(same).as("%s element %d: %s vs reference %s", g, i, actual[i], expected[i]).isTrue();
            }
        }
    }

    /**
     * Stride-2 rows at least a vector wide take every other window maximum by lane permutations: with
     * side padding (ResNet-18's 3x3/2 pool, pad 1, and an odd-width one) and without (SqueezeNet 1.1's).
     */
    @Test
    void strideTwoPoolingRowsPickedByLanePermutationsMatchTheReference() {
        SplittableRandom r = new SplittableRandom(88);
        PoolGeometry[] shapes = {
            new PoolGeometry(112, 112, 56, 56, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
            new PoolGeometry(9, 45, PoolGeometry.outputSize(9, 3, 2, 1, 1, 1, true),
                    PoolGeometry.outputSize(45, 3, 2, 1, 1, 1, true), 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
            new PoolGeometry(55, 55, 27, 27, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1),
        };
        for (PoolGeometry g : shapes) {
            int planes = 3;
            float[] in = random(r, planes * g.inH() * g.inW());
            float[] expected = new float[planes * g.outH() * g.outW()];
            scalar.maxPool2d(g, in, expected, planes, ComputeContext.sequential());
            float[] actual = new float[expected.length];
            vector.maxPool2d(g, in, actual, planes, new ThreadedContext(2));
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i] == expected[i]).as("%s element %d: %s vs reference %s", g, i, actual[i],
                        expected[i]).isTrue();
            }
        }
    }

    /**
     * Output rows narrower than a vector (SqueezeNet 1.1's 27 -> 13 pool, random ones at strides 1 to 3,
     * padded or not) are stored as whole vectors whose lanes past the row the next rows overwrite, the
     * plane's last rows one by one: each plane must still hold exactly its own outputs, also with one row
     * or planes smaller than a vector. Dilated windows read straight from the input as well.
     */
    @Test
    void poolingRowsNarrowerThanAVectorAndDilatedWindowsMatchTheReference() {
        SplittableRandom r = new SplittableRandom(99);
        List<PoolGeometry> shapes = new ArrayList<>();
        shapes.add(new PoolGeometry(27, 27, 13, 13, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1));
        shapes.add(new PoolGeometry(1, 20, 1, 9, 1, 3, 1, 2, 0, 0, 0, 0, 1, 1));
        for (int trial = 0; trial < 120; trial++) {
            int k = 1 + r.nextInt(3);
            int s = 1 + r.nextInt(3);
            int d = 1 + r.nextInt(2);
            int pad = trial % 2 == 0 ? 0 : r.nextInt(k);
            int inW = (k - 1) * d + 1 + r.nextInt(40);
            int inH = (k - 1) * d + 1 + r.nextInt(6);
            int outW = PoolGeometry.outputSize(inW, k, s, pad, pad, d, false);
            int outH = PoolGeometry.outputSize(inH, k, s, pad, pad, d, false);
            shapes.add(new PoolGeometry(inH, inW, outH, outW, k, k, s, s, pad, pad, pad, pad, d, d));
        }
        for (PoolGeometry g : shapes) {
            int planes = 1 + r.nextInt(5);
            float[] in = random(r, planes * g.inH() * g.inW());
            float[] expected = new float[planes * g.outH() * g.outW()];
            scalar.maxPool2d(g, in, expected, planes, ComputeContext.sequential());
            float[] actual = new float[expected.length];
            vector.maxPool2d(g, in, actual, planes, ThreadedContext.reversed(2));
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i] == expected[i]).as("%s element %d: %s vs reference %s", g, i, actual[i],
                        expected[i]).isTrue();
            }
        }
    }

    /** Chunks on threads at once share only what they read: SqueezeNet's first pool, four threads. */
    @Test
    void maxPoolingChunksRunningAtOnceGiveTheSequentialResult() {
        PoolGeometry g = new PoolGeometry(111, 111, 55, 55, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1);
        int planes = 64;
        float[] in = random(new SplittableRandom(5), planes * 111 * 111);
        float[] expected = new float[planes * 55 * 55];
        vector.maxPool2d(g, in, expected, planes, ComputeContext.sequential());
        for (int run = 0; run < 20; run++) {
            float[] actual = new float[expected.length];
            vector.maxPool2d(g, in, actual, planes, new ThreadedContext(4));
            assertThat(actual).as("run %d", run).isEqualTo(expected);
        }
    }

    @Test
    void matrixPackedByAnotherKernelSetIsRefused() {
        PackedMatrix fastPacked = new FastKernels().packMatrix(new float[12], 0, 3, 4, 4, 1);
        float[] c = new float[6];
        assertThatThrownBy(() -> vector.gemm(fastPacked, new float[8], 0, 2, 1, 2, c, 0, 2, 1, GemmEpilogue.NONE,
                ComputeContext.sequential()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("panel rows 4, expected " + VectorGemm.MR);
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
        assertThat(max).as("max relative difference, %s", what).isLessThan(TOLERANCE);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
