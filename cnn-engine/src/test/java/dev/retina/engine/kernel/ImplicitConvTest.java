package dev.retina.engine.kernel;

import static dev.retina.engine.kernel.ConvTestData.assertClose;
import static dev.retina.engine.kernel.ConvTestData.random;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The implicit-GEMM convolution against the scalar reference: random odd geometries with every
 * stride, padding, dilation and group count, windows cut into several row blocks, K deeper than one
 * slice, batches, stale scratch memory, and bit-identical results for 1, 2 and 3 threads.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImplicitConvTest {

    private static final float TOLERANCE = 1e-4f;

    private final Kernels scalar = new ScalarKernels();
    private final Kernels vector = KernelProvider.byName("vector");

    @Test
    void randomGeometriesMatchTheReference() {
        SplittableRandom r = new SplittableRandom(2024);
        ThreadedContext two = new ThreadedContext(2);
        ThreadedContext three = new ThreadedContext(3);
        for (int trial = 0; trial < 120; trial++) {
            int group = new int[] {1, 1, 2, 3}[r.nextInt(4)];
            boolean deep = r.nextInt(5) == 0;
            int inPerGroup = deep ? 30 + r.nextInt(60) : 1 + r.nextInt(7);
            // One input and one output channel per group is depthwise: never packed, never a GEMM.
            int outPerGroup = inPerGroup == 1 ? 2 + r.nextInt(13) : 1 + r.nextInt(deep ? 25 : 14);
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int dh = 1 + r.nextInt(2);
            int dw = 1 + r.nextInt(2);
            int pt = r.nextInt(kh + 1);
            int pl = r.nextInt(kw + 1);
            int pb = r.nextInt(kh + 1);
            int pr = r.nextInt(kw + 1);
            int inH = dh * (kh - 1) + 1 + r.nextInt(deep ? 7 : 14);
            int inW = dw * (kw - 1) + 1 + r.nextInt(deep ? 9 : 50);
            int batch = 1 + r.nextInt(3);
            int sh = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 1;
            int sw = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 1;
            ConvGeometry g = geometry(inPerGroup, outPerGroup, group, inH, inW, kh, kw, sh, sw, dh, dw, pt, pl, pb,
                    pr);
            check(r, g, batch, "trial " + trial, two, three);
        }
    }

    @Test
    void stridedNetworkLayersMatchTheReference() {
        SplittableRandom r = new SplittableRandom(13);
        // A 7x7/2 stem (four phases, odd input), a 1x1/2 projection (one phase read of four) and a
        // dilated 3x3/2 layer; three row blocks for the deep one.
        check(r, geometry(3, 16, 1, 45, 45, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3), 1, "stem", new ThreadedContext(2),
                new ThreadedContext(3));
        check(r, geometry(40, 24, 1, 21, 21, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0), 2, "1x1/2", new ThreadedContext(2),
                new ThreadedContext(3));
        check(r, geometry(150, 9, 1, 57, 57, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1), 1, "dilated 3x3/2",
                new ThreadedContext(2), new ThreadedContext(3));
    }

    @Test
    void windowsSplitIntoSeveralRowBlocksAndSlicesMatchTheReference() {
        SplittableRandom r = new SplittableRandom(7);
        // 300 channels x 31 padded columns: a window holds about a dozen rows, so 29 output rows take
        // three blocks; K = 2700 spans many channel slices.
        ConvGeometry g = geometry(300, 13, 1, 29, 29, 3, 3, 1, 1, 1, 1, 1, 1);
        check(r, g, 1, "deep 3x3", new ThreadedContext(2), new ThreadedContext(3));
        // Pointwise with an input array exactly as long as the data: the last block cannot be read in
        // place (its last column panel would run past the array) and goes through a window.
        ConvGeometry pw = geometry(70, 19, 1, 9, 11, 1, 1, 1, 1, 0, 0, 0, 0);
        check(r, pw, 2, "pointwise", new ThreadedContext(2), new ThreadedContext(3));
    }

    @Test
    void panelsGatheredOrReadInPlaceOnEitherSideOfTheThresholdMatchTheReference() {
        SplittableRandom r = new SplittableRandom(29);
        // Into 26 channels: 7 channels x 9 taps = 63 taps read in place, 8 x 9 = 72 and 64 x 1 gathered;
        // 72 taps into 16 channels read in place. Batch 2 on two threads cuts the rows into blocks per
        // thread.
        assertThat(ImplicitConv.GATHER_MIN_K).isEqualTo(64);
        assertThat(ImplicitConv.GATHER_MIN_CHANNELS).isEqualTo(2 * VectorGemm.MR);
        int wide = 2 * VectorGemm.MR + 2;
        check(r, geometry(7, wide, 1, 20, 23, 3, 3, 1, 1, 1, 1, 1, 1), 2, "63 taps", new ThreadedContext(2),
                new ThreadedContext(3));
        check(r, geometry(8, wide, 1, 20, 23, 3, 3, 1, 1, 1, 1, 1, 1), 2, "72 taps", new ThreadedContext(2),
                new ThreadedContext(3));
        check(r, geometry(8, 16, 1, 20, 23, 3, 3, 1, 1, 1, 1, 1, 1), 2, "72 taps into 16 channels",
                new ThreadedContext(2), new ThreadedContext(3));
        check(r, geometry(64, wide, 1, 9, 37, 1, 1, 1, 1, 0, 0, 0, 0), 1, "pointwise, 64 taps", new ThreadedContext(2),
                new ThreadedContext(3));
    }

    @Test
    void tilesInsideOneOutputRowAndAcrossRowEndsMatchTheReference() {
        SplittableRandom r = new SplittableRandom(61);
        // Rows of 70 and 45 outputs with two and one dropped columns: most 32-column tiles lie inside
        // one output row (stored straight), the others cross a row end (stored run by run).
        check(r, geometry(3, 16, 1, 12, 70, 3, 3, 1, 1, 1, 1, 1, 1), 2, "3x3, 70 wide", new ThreadedContext(2),
                new ThreadedContext(3));
        check(r, geometry(3, 24, 1, 91, 91, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), 1, "3x3/2 stem, 45 wide",
                new ThreadedContext(2), new ThreadedContext(3));
    }

    @Test
    void residualIsAddedBeforeTheActivationOnEveryPath() {
        SplittableRandom r = new SplittableRandom(31);
        ConvGeometry[] shapes = {
            geometry(24, 30, 1, 15, 15, 3, 3, 1, 1, 1, 1, 1, 1), // implicit GEMM
            geometry(64, 64, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1), // im2col (wide padded rows)
            geometry(33, 21, 1, 9, 10, 1, 1, 1, 1, 0, 0, 0, 0), // pointwise, read in place
            new ConvGeometry(10, 11, 11, 14, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1), // small strided layer: im2col
            new ConvGeometry(6, 9, 9, 6, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 6), // depthwise
        };
        for (ConvGeometry g : shapes) {
            int batch = 2;
            float[] w = random(r, g.outChannels() * g.inPerGroup() * g.kernelH() * g.kernelW());
            float[] bias = random(r, g.outChannels());
            float[] in = random(r, batch * g.inChannels() * g.inH() * g.inW());
            float[] residual = random(r, batch * g.outChannels() * g.outH() * g.outW());
            float[] expected = new float[residual.length];
            scalar.conv2dResidual(g, scalar.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), g.kernelH(),
                    g.kernelW(), g.group()), Activation.RELU, in, residual, expected, batch,
                    ComputeContext.sequential());
            ConvWeights prepared = vector.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), g.kernelH(),
                    g.kernelW(), g.group());
            float[] single = new float[expected.length];
            vector.conv2dResidual(g, prepared, Activation.RELU, in, residual, single, batch,
                    ComputeContext.sequential());
            assertClose(single, expected, TOLERANCE, "residual " + g);
            float[] two = new float[expected.length];
            vector.conv2dResidual(g, prepared, Activation.RELU, in, residual, two, batch, new ThreadedContext(2));
            assertThat(two).as("residual %s with 2 threads", g).isEqualTo(single);
        }
    }

    @Test
    void rowBlocksGiveTheSameOutputInAnyOrderAndInPlaceOverTheResidual() {
        // 600 input channels cut the 15-row output into two row blocks; rows of 17 padded columns for 15
        // outputs make every tile end in part vectors, stored whole where the next output row follows.
        SplittableRandom r = new SplittableRandom(47);
        ConvGeometry g = geometry(600, 14, 1, 15, 15, 3, 3, 1, 1, 1, 1, 1, 1);
        assertThat(ImplicitConv.suits(g)).isTrue();
        int batch = 2;
        float[] w = random(r, g.outChannels() * g.inPerGroup() * 9);
        float[] bias = random(r, g.outChannels());
        float[] in = random(r, batch * g.inChannels() * g.inH() * g.inW());
        float[] residual = random(r, batch * g.outChannels() * g.outH() * g.outW());
        float[] expected = new float[residual.length];
        scalar.conv2dResidual(g, scalar.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), 3, 3, 1),
                Activation.RELU, in, residual, expected, batch, ComputeContext.sequential());
        ConvWeights prepared = vector.prepareConv(w, bias, g.outChannels(), g.inPerGroup(), 3, 3, 1);
        float[] forward = new float[expected.length];
        vector.conv2dResidual(g, prepared, Activation.RELU, in, residual, forward, batch, new ThreadedContext(8));
        assertClose(forward, expected, TOLERANCE, "chunks in order");
        float[] backward = new float[expected.length];
        vector.conv2dResidual(g, prepared, Activation.RELU, in, residual, backward, batch, ThreadedContext.reversed(8));
        assertThat(backward).as("chunks run last first").isEqualTo(forward);
        float[] inPlace = residual.clone();
        vector.conv2dResidual(g, prepared, Activation.RELU, in, inPlace, inPlace, batch, ThreadedContext.reversed(8));
        assertThat(inPlace).as("output written over its own residual").isEqualTo(forward);
    }

    @Test
    void pointwiseReadsTheInputInPlaceWhenTheArrayHasRoom() {
        SplittableRandom r = new SplittableRandom(11);
        ConvGeometry g = geometry(40, 17, 1, 6, 13, 1, 1, 1, 1, 0, 0, 0, 0);
        float[] w = random(r, 17 * 40);
        float[] in = random(r, 40 * 6 * 13 + 500);
        float[] expected = new float[17 * 6 * 13];
        scalar.conv2d(g, scalar.prepareConv(w, null, 17, 40, 1, 1, 1), Activation.NONE, in, expected, 1,
                ComputeContext.sequential());
        float[] actual = new float[expected.length];
        ImplicitConv.run(g, vector.prepareConv(w, null, 17, 40, 1, 1, 1), Activation.NONE, in, actual, 1,
                ComputeContext.sequential());
        assertClose(actual, expected, TOLERANCE, g.toString());
    }

    @Test
    void choosesImplicitGemmForStrideOneLayersWithFewWastedColumns() {
        // ResNet's first stage: 3x3, 64 channels at 56x56, 2 of 58 columns wasted.
        assertThat(ImplicitConv.suits(geometry(64, 64, 1, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1))).isTrue();
        // Unpadded 1x1 stride-1 layers read in place only into few output channels (up to two panels);
        // with more, the packed column block is shared by enough panels to pay for its copy.
        assertThat(ImplicitConv.suits(geometry(32, 16, 1, 112, 112, 1, 1, 1, 1, 0, 0, 0, 0))).isTrue();
        assertThat(ImplicitConv.suits(geometry(960, 160, 1, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0))).isFalse();
        assertThat(ImplicitConv.suits(geometry(144, 24, 1, 56, 56, 1, 1, 1, 1, 0, 0, 0, 0))).isTrue();
        assertThat(ImplicitConv.suits(geometry(192, 32, 1, 28, 28, 1, 1, 1, 1, 0, 0, 0, 0))).isTrue();
        assertThat(ImplicitConv.suits(geometry(24, 144, 1, 56, 56, 1, 1, 1, 1, 0, 0, 0, 0))).isFalse();
        // 3x3 with 512 channels at 7x7: 2 of 9 columns wasted costs more than packing.
        assertThat(ImplicitConv.suits(geometry(512, 512, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1))).isFalse();
        // Strided layers go through stride phases: ResNet's 7x7/2 stem and its first 3x3/2 layer waste
        // little; the 3x3/2 layer into 512 channels at 7x7 would waste 1 of 8 columns for 512 channels.
        assertThat(ImplicitConv.suits(geometry(3, 64, 1, 224, 224, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3))).isTrue();
        assertThat(ImplicitConv.suits(geometry(64, 128, 1, 56, 56, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1))).isTrue();
        assertThat(ImplicitConv.suits(geometry(256, 512, 1, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1))).isFalse();
    }

    private void check(SplittableRandom r, ConvGeometry g, int batch, String what, ComputeContext two,
                       ComputeContext three) {
        int inPerGroup = g.inPerGroup();
        int kh = g.kernelH();
        int kw = g.kernelW();
        float[] w = random(r, g.outChannels() * inPerGroup * kh * kw);
        float[] bias = r.nextBoolean() ? random(r, g.outChannels()) : null;
        float[] in = random(r, batch * g.inChannels() * g.inH() * g.inW());
        Activation act = new Activation[] {Activation.NONE, Activation.RELU, Activation.clip(-0.5f, 0.5f),
            Activation.leakyRelu(0.1f)}[r.nextInt(4)];
        float[] expected = new float[batch * g.outChannels() * g.outH() * g.outW()];
        scalar.conv2d(g, scalar.prepareConv(w, bias, g.outChannels(), inPerGroup, kh, kw, g.group()), act, in,
                expected, batch, ComputeContext.sequential());
        ConvWeights prepared = vector.prepareConv(w, bias, g.outChannels(), inPerGroup, kh, kw, g.group());
        float[] single = new float[expected.length];
        ImplicitConv.run(g, prepared, act, in, single, batch, ComputeContext.sequential());
        assertClose(single, expected, TOLERANCE, what + " " + g + " " + act);
        for (ComputeContext ctx : new ComputeContext[] {two, three}) {
            float[] actual = new float[expected.length];
            ImplicitConv.run(g, prepared, act, in, actual, batch, ctx);
            assertThat(actual).as("%s with %d threads against one thread", what, ctx.parallelism())
                    .isEqualTo(single);
        }
    }

    private static ConvGeometry geometry(int inPerGroup, int outPerGroup, int group, int inH, int inW, int kh,
                                         int kw, int dh, int dw, int pt, int pl, int pb, int pr) {
        return ConvTestData.geometry(inPerGroup, outPerGroup, group, inH, inW, kh, kw, 1, 1, dh, dw, pt, pl, pb, pr);
    }

    private static ConvGeometry geometry(int inPerGroup, int outPerGroup, int group, int inH, int inW, int kh,
                                         int kw, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr) {
        return ConvTestData.geometry(inPerGroup, outPerGroup, group, inH, inW, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr);
    }
}
