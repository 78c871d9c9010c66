package dev.retina.engine.kernel;

import static dev.retina.engine.kernel.ConvTestData.assertClose;
import static dev.retina.engine.kernel.ConvTestData.geometry;
import static dev.retina.engine.kernel.ConvTestData.random;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared-im2col convolution against the scalar reference and bit for bit against the im2col path
 * it replaces: random deep geometries with small output planes (every stride, padding, dilation, group
 * count, batch and activation), one and several column blocks, residuals, any thread count or chunk
 * order, and a packing buffer left over from a larger layer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedIm2colConvTest {

    private static final float TOLERANCE = 1e-4f;

    private final Kernels scalar = new ScalarKernels();
    private final Kernels vector = KernelProvider.byName("vector");

    @Test
    void randomDeepGeometriesMatchTheReferenceAndTheIm2colPath() {
        SplittableRandom r = new SplittableRandom(4242);
        for (int trial = 0; trial < 40; trial++) {
            int group = r.nextInt(4) == 0 ? 2 : 1;
            int kh = 1 + r.nextInt(3);
            int kw = 1 + r.nextInt(3);
            int inPerGroup = SharedIm2colConv.MIN_K / (kh * kw) + 1 + r.nextInt(80);
            int outPerGroup = 1 + r.nextInt(40);
            int dh = 1 + r.nextInt(2);
            int dw = 1 + r.nextInt(2);
            int sh = 1 + r.nextInt(2);
            int sw = 1 + r.nextInt(2);
            int pt = r.nextInt(kh + 1);
            int pl = r.nextInt(kw + 1);
            int pb = r.nextInt(kh + 1);
            int pr = r.nextInt(kw + 1);
            int inH = dh * (kh - 1) + 1 + r.nextInt(12);
            int inW = dw * (kw - 1) + 1 + r.nextInt(12);
            ConvGeometry g = geometry(inPerGroup, outPerGroup, group, inH, inW, kh, kw, sh, sw, dh, dw, pt, pl, pb,
                    pr);
            assertThat(SharedIm2colConv.suits(g)).as("trial %d %s", trial, g).isTrue();
            check(r, g, 1 + r.nextInt(3), "trial " + trial);
        }
    }

    @Test
    void networkLayersMatchTheReference() {
        SplittableRandom r = new SplittableRandom(5);
        // ResNet's 7x7 stage (two column panels, the second part full), a 3x3/2 layer into it, and a
        // 14x14 layer whose packed matrix takes two column blocks.
        check(r, geometry(512, 40, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), 1, "7x7 stage");
        check(r, geometry(256, 30, 1, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), 2, "3x3/2");
        ConvGeometry wide = geometry(256, 27, 1, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(SharedIm2colConv.BLOCK_FLOATS / (256 * 9 * VectorGemm.NR)).as("panels per block").isLessThan(7);
        check(r, wide, 1, "14x14, two column blocks");
        // A pointwise layer deep enough for this path: packed by plain row copies.
        check(r, geometry(600, 33, 1, 9, 11, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0), 2, "pointwise");
    }

    @Test
    void residualIsAddedBeforeTheActivationAlsoInPlace() {
        SplittableRandom r = new SplittableRandom(17);
        ConvGeometry g = geometry(100, 26, 1, 8, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        int batch = 2;
        float[] w = random(r, g.outChannels() * g.inPerGroup() * 9);
        float[] bias = random(r, g.outChannels());
        float[] in = random(r, batch * g.inChannels() * g.inH() * g.inW());
        float[] residual = random(r, batch * g.outChannels() * g.outH() * g.outW());
        float[] expected = new float[residual.length];
        scalar.conv2dResidual(g, scalar.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), 3, 3, 1),
                Activation.RELU, in, residual, expected, batch, ComputeContext.sequential());
        ConvWeights prepared = vector.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), 3, 3, 1);
        float[] actual = new float[expected.length];
        SharedIm2colConv.run(g, prepared, Activation.RELU, in, residual, actual, batch, new ThreadedContext(2));
        assertClose(actual, expected, TOLERANCE, "residual");
        float[] inPlace = residual.clone();
        SharedIm2colConv.run(g, prepared, Activation.RELU, in, inPlace, inPlace, batch, ThreadedContext.reversed(3));
        assertThat(inPlace).as("output written over its own residual").isEqualTo(actual);
    }

    @Test
    void aBatchSharingOneMatrixGivesEachImageItsOwnResult() {
        SplittableRandom r = new SplittableRandom(31);
        // ResNet-18's 7 x 7 stage (49 columns an image: tiles straddle images), a 14 x 14 layer of
        // several column blocks, a stride-2 layer, a pointwise one (copied run by run per image), and a
        // layer writing a channel slice of a wider output (a Concat written in place).
        ConvGeometry[] layers = {
            geometry(512, 40, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            geometry(256, 27, 1, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            geometry(160, 30, 1, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
            geometry(600, 33, 1, 5, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
            geometry(300, 20, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1).withOutputSlice(6, 29),
        };
        for (ConvGeometry g : layers) {
            for (int batch : new int[] {2, 3, 8}) {
                assertThat(SharedIm2colConv.joinsImages(g, batch)).as("%s, batch %d", g, batch).isTrue();
                checkJoined(r, g, batch);
            }
        }
        // Planes that fill their panels, grouped layers and single images keep a matrix per image.
        assertThat(SharedIm2colConv.joinsImages(geometry(300, 20, 1, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), 8))
                .isFalse();
        assertThat(SharedIm2colConv.joinsImages(geometry(300, 20, 2, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), 8))
                .isFalse();
        assertThat(SharedIm2colConv.joinsImages(layers[0], 1)).isFalse();
    }

    /**
     * A batch through the joined matrix against each image alone, bit for bit, with a residual (also
     * written over in place) and sentinels in the channels of a sliced output that the layer must
     * not touch, on one and on several threads in either order.
     */
    private void checkJoined(SplittableRandom r, ConvGeometry g, int batch) {
        int kArea = g.kernelH() * g.kernelW();
        float[] w = random(r, g.outChannels() * g.inPerGroup() * kArea);
        float[] bias = random(r, g.outChannels());
        ConvWeights prepared = vector.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), g.kernelH(),
                g.kernelW(), 1);
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = g.outImageChannels() * g.outH() * g.outW();
        float[] in = random(r, batch * inImage);
        float[] residual = random(r, batch * outImage);
        float[] expected = new float[batch * outImage];
        java.util.Arrays.fill(expected, 7f);
        for (int n = 0; n < batch; n++) {
            float[] alone = java.util.Arrays.copyOfRange(expected, n * outImage, (n + 1) * outImage);
            SharedIm2colConv.run(g, prepared, Activation.RELU, java.util.Arrays.copyOfRange(in, n * inImage,
                    (n + 1) * inImage), java.util.Arrays.copyOfRange(residual, n * outImage, (n + 1) * outImage),
                    alone, 1, ComputeContext.sequential());
            System.arraycopy(alone, 0, expected, n * outImage, outImage);
        }
        for (ComputeContext ctx : new ComputeContext[] {ComputeContext.sequential(), new ThreadedContext(2),
            ThreadedContext.reversed(3)}) {
            float[] actual = new float[expected.length];
            java.util.Arrays.fill(actual, 7f);
            SharedIm2colConv.run(g, prepared, Activation.RELU, in, residual, actual, batch, ctx);
            assertThat(actual).as("%s, batch %d, %d chunks", g, batch, ctx.parallelism()).isEqualTo(expected);
        }
        if (!g.isSliced()) {
            float[] inPlace = residual.clone();
            SharedIm2colConv.run(g, prepared, Activation.RELU, in, inPlace, inPlace, batch, new ThreadedContext(2));
            assertThat(inPlace).as("%s, batch %d, over its own residual", g, batch).isEqualTo(expected);
        }
    }

    @Test
    void aBufferLeftFromALargerLayerGivesTheSameResult() {
        SplittableRandom r = new SplittableRandom(23);
        ComputeContext reused = ComputeContext.sequential();
        ConvGeometry large = geometry(300, 20, 1, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        run(r, large, reused);
        ConvGeometry small = geometry(70, 14, 1, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0);
        float[] w = random(r, small.outChannels() * small.inPerGroup() * 9);
        float[] in = random(r, small.inChannels() * small.inH() * small.inW());
        ConvWeights prepared = vector.prepareConv(w, null, small.outChannels(), small.inPerGroup(), 3, 3, 1);
        float[] fresh = new float[small.outChannels() * small.outH() * small.outW()];
        SharedIm2colConv.run(small, prepared, Activation.NONE, in, null, fresh, 1, ComputeContext.sequential());
        float[] stale = new float[fresh.length];
        SharedIm2colConv.run(small, prepared, Activation.NONE, in, null, stale, 1, reused);
        assertThat(stale).isEqualTo(fresh);
    }

    @Test
    void choosesThisPathForDeepLayersWithSmallPlanesOnly() {
        // ResNet-18's 7x7 and 14x14 stages, the 3x3/2 layers into them.
        assertThat(SharedIm2colConv.suits(geometry(512, 512, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1))).isTrue();
        assertThat(SharedIm2colConv.suits(geometry(256, 256, 1, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1))).isTrue();
        assertThat(SharedIm2colConv.suits(geometry(256, 512, 1, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1))).isTrue();
        // Shallower layers whose packed matrix is one column block: SqueezeNet 1.1's 3x3 expand layer
        // at 13x13, MobileNetV2's 1x1 144-32 at 28x28.
        assertThat(SharedIm2colConv.suits(geometry(48, 192, 1, 13, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1))).isTrue();
        assertThat(SharedIm2colConv.suits(geometry(144, 32, 1, 28, 28, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0))).isTrue();
        // Too shallow, a shallow layer whose matrix is more than one block (MobileNetV2's 144-24 at
        // 56x56), a deep one too large to share.
        assertThat(SharedIm2colConv.suits(geometry(8, 64, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1))).isFalse();
        assertThat(SharedIm2colConv.suits(geometry(144, 24, 1, 56, 56, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0))).isFalse();
        assertThat(SharedIm2colConv.suits(geometry(512, 64, 1, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1))).isFalse();
    }

    private void run(SplittableRandom r, ConvGeometry g, ComputeContext ctx) {
        float[] w = random(r, g.outChannels() * g.inPerGroup() * g.kernelH() * g.kernelW());
        float[] in = random(r, g.inChannels() * g.inH() * g.inW());
        ConvWeights prepared = vector.prepareConv(w, null, g.outChannels(), g.inPerGroup(), g.kernelH(), g.kernelW(),
                g.group());
        SharedIm2colConv.run(g, prepared, Activation.NONE, in, null, new float[g.outChannels() * g.outH() * g.outW()],
                1, ctx);
    }

    private void check(SplittableRandom r, ConvGeometry g, int batch, String what) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        float[] w = random(r, g.outChannels() * g.inPerGroup() * kh * kw);
        float[] bias = r.nextBoolean() ? random(r, g.outChannels()) : null;
        float[] in = random(r, batch * g.inChannels() * g.inH() * g.inW());
        Activation act = new Activation[] {Activation.NONE, Activation.RELU, Activation.clip(-0.5f, 0.5f),
            Activation.leakyRelu(0.1f), Activation.SIGMOID}[r.nextInt(5)];
        float[] expected = new float[batch * g.outChannels() * g.outH() * g.outW()];
        scalar.conv2d(g, scalar.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), kh, kw, g.group()), act, in,
                expected, batch, ComputeContext.sequential());
        ConvWeights prepared = vector.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), kh, kw, g.group());
        float[] single = new float[expected.length];
        SharedIm2colConv.run(g, prepared, act, in, null, single, batch, ComputeContext.sequential());
        assertClose(single, expected, TOLERANCE, what + " " + g + " " + act);
        float[] im2col = new float[expected.length];
        VectorConv.runIm2col(g, prepared, act, in, null, im2col, batch, ComputeContext.sequential());
        assertThat(single).as("%s: same sums as the im2col path", what).isEqualTo(im2col);
        for (ComputeContext ctx : new ComputeContext[] {new ThreadedContext(2), new ThreadedContext(3),
            ThreadedContext.reversed(4)}) {
            float[] actual = new float[expected.length];
            SharedIm2colConv.run(g, prepared, act, in, null, actual, batch, ctx);
            assertThat(actual).as("%s with %d chunks against one", what, ctx.parallelism()).isEqualTo(single);
        }
    }
}
