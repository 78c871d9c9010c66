package dev.retina.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fast kernels against the scalar reference on seeded random shapes, odd sizes included. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FastKernelsTest {

    private final Kernels scalar = new ScalarKernels();
    private final Kernels fast = new FastKernels();

    @Test
    void convolutionMatchesTheReferenceForRandomGeometries() {
        SplittableRandom r = new SplittableRandom(2024);
        for (int trial = 0; trial < 120; trial++) {
            int group = new int[] {1, 1, 2, 3}[r.nextInt(4)];
            boolean depthwise = r.nextInt(5) == 0;
            int inPerGroup = depthwise ? 1 : 1 + r.nextInt(5);
            int outPerGroup = depthwise ? 1 : 1 + r.nextInt(7);
            if (depthwise) {
                group = 1 + r.nextInt(6);
            }
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
            int inH = dh * (kh - 1) + 1 + r.nextInt(9);
            int inW = dw * (kw - 1) + 1 + r.nextInt(9);
            int batch = 1 + r.nextInt(3);
            int outH = ConvGeometry.outputSize(inH, kh, sh, pt, pb, dh);
            int outW = ConvGeometry.outputSize(inW, kw, sw, pl, pr, dw);
            ConvGeometry g = new ConvGeometry(inPerGroup * group, inH, inW, outPerGroup * group, outH, outW, kh, kw,
                    sh, sw, pt, pl, dh, dw, group);
            float[] w = random(r, g.outChannels() * inPerGroup * kh * kw);
            float[] bias = r.nextBoolean() ? random(r, g.outChannels()) : null;
            float[] in = random(r, batch * g.inChannels() * inH * inW);
            Activation act = new Activation[] {Activation.NONE, Activation.RELU, Activation.clip(0, 0.5f),
                    Activation.leakyRelu(0.1f)}[r.nextInt(4)];
            float[] expected = new float[batch * g.outChannels() * outH * outW];
            scalar.conv2d(g, scalar.prepareConv(w, bias, g.outChannels(), inPerGroup, kh, kw, group), act, in,
                    expected, batch, ComputeContext.sequential());
            for (int threads : new int[] {1, 3}) {
                float[] actual = new float[expected.length];
                fast.conv2d(g, fast.prepareConv(w, bias, g.outChannels(), inPerGroup, kh, kw, group), act, in, actual,
                        batch, new ThreadedContext(threads));
                assertClose(actual, expected, "trial " + trial + " " + g + " threads " + threads);
            }
        }
    }

    @Test
    void gemmMatchesTheReferenceForRandomShapesAndStrides() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 80; trial++) {
            int m = 1 + r.nextInt(37);
            int n = 1 + r.nextInt(41);
            int k = 1 + r.nextInt(300);
            boolean transA = r.nextBoolean();
            boolean transB = r.nextBoolean();
            float[] a = random(r, m * k);
            float[] b = random(r, k * n);
            float[] bias = r.nextBoolean() ? random(r, m) : null;
            GemmEpilogue ep = new GemmEpilogue(r.nextBoolean() ? 1f : 0.5f, bias, 0, r.nextBoolean(), Activation.RELU);
            float[] c0 = random(r, m * n);
            float[] expected = c0.clone();
            scalar.gemm(scalar.packMatrix(a, 0, m, k, transA ? 1 : k, transA ? m : 1), b, 0, transB ? 1 : n,
                    transB ? k : 1, n, expected, 0, n, 1, ep, ComputeContext.sequential());
            float[] actual = c0.clone();
            fast.gemm(fast.packMatrix(a, 0, m, k, transA ? 1 : k, transA ? m : 1), b, 0, transB ? 1 : n,
                    transB ? k : 1, n, actual, 0, n, 1, ep, new ThreadedContext(2));
            assertClose(actual, expected, "trial " + trial + " m=" + m + " n=" + n + " k=" + k);
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]) / Math.max(1f, Math.abs(expected[i])));
        }
        assertThat(max).as("max relative difference, %s", what).isLessThan(1e-5f);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
