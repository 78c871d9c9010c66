package dev.retina.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The vector depthwise kernel against the reference: the stride-2 phase split (1 x 1 windows) and
 * the stride-2 3 x 3 full-resolution path on every row width from below one vector to several vectors
 * plus a tail (MobileNetV2's 112, 56, 28, 14 and 7 among them), every padding that keeps a window
 * inside the plane; the stride-1 3 x 3 strips and grid; chunks on several threads. Surefire starts the
 * JVM with
 * {@code --add-modules jdk.incubator.vector}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VectorDepthwiseTest {

    private final Kernels scalar = new ScalarKernels();
    private final Kernels vector = KernelProvider.byName("vector");

    /** A 1 x 1 depthwise kernel of weight 1 at stride 2 is pure subsampling: the copy must be exact. */
    @Test
    void stride2UnitKernelSubsamplesExactly() {
        SplittableRandom r = new SplittableRandom(21);
        for (int inW = 1; inW <= 70; inW++) {
            int inH = 1 + r.nextInt(5);
            int channels = 1 + r.nextInt(3);
            ConvGeometry g = new ConvGeometry(channels, inH, inW, channels,
                    ConvGeometry.outputSize(inH, 1, 2, 0, 0, 1), ConvGeometry.outputSize(inW, 1, 2, 0, 0, 1),
                    1, 1, 2, 2, 0, 0, 1, 1, channels);
            float[] ones = new float[channels];
            java.util.Arrays.fill(ones, 1f);
            float[] in = random(r, channels * inH * inW);
            float[] out = new float[channels * g.outH() * g.outW()];
            vector.conv2d(g, vector.prepareConv(ones, null, channels, 1, 1, 1, channels), Activation.NONE, in, out, 1,
                    ComputeContext.sequential());
            for (int c = 0; c < channels; c++) {
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        assertThat(out[(c * g.outH() + oh) * g.outW() + ow])
                                .as("width %d channel %d (%d, %d)", inW, c, oh, ow)
                                .isEqualTo(in[(c * inH + 2 * oh) * inW + 2 * ow]);
                    }
                }
            }
        }
    }

    @Test
    void stride2ThreeByThreeMatchesTheReferenceOnEveryWidthAndPadding() {
        SplittableRandom r = new SplittableRandom(8);
        for (int inW = 3; inW <= 114; inW += 1 + r.nextInt(3)) {
            for (int pad = 0; pad <= 2; pad++) {
                int inH = 3 + r.nextInt(6);
                int channels = 1 + r.nextInt(4);
                int outH = ConvGeometry.outputSize(inH, 3, 2, pad, pad, 1);
                int outW = ConvGeometry.outputSize(inW, 3, 2, pad, pad, 1);
                ConvGeometry g = new ConvGeometry(channels, inH, inW, channels, outH, outW, 3, 3, 2, 2, pad, pad,
                        1, 1, channels);
                checkAgainstReference(r, g, Activation.clip(0f, 6f), 1e-4f, "width " + inW + " pad " + pad);
            }
        }
    }

    /**
     * Stride-2 3 x 3 layers take the full-resolution sums and their even lanes ({@code halve3x3}): rows
     * narrower than a vector (stored whole into the rows after them, the plane's last ones through the
     * buffer) and wider, paddings 0-2 on each side independently, every activation, two images, chunks
     * in either order.
     */
    @Test
    void stride2ThreeByThreeMatchesTheReferenceOnEveryPaddingAndActivation() {
        SplittableRandom r = new SplittableRandom(47);
        Activation[] acts = {Activation.NONE, Activation.RELU, Activation.clip(0f, 6f), Activation.leakyRelu(0.1f),
            Activation.SIGMOID};
        for (int inW = 3; inW <= 118; inW += 1 + r.nextInt(4)) {
            int padTop = r.nextInt(2);
            int padLeft = r.nextInt(2);
            int padBottom = r.nextInt(3);
            int padRight = r.nextInt(3);
            int inH = 3 + r.nextInt(12);
            int channels = 1 + r.nextInt(4);
            int outH = ConvGeometry.outputSize(inH, 3, 2, padTop, padBottom, 1);
            int outW = ConvGeometry.outputSize(inW, 3, 2, padLeft, padRight, 1);
            Activation act = acts[r.nextInt(acts.length)];
            ConvGeometry g = new ConvGeometry(channels, inH, inW, channels, outH, outW, 3, 3, 2, 2, padTop, padLeft,
                    1, 1, channels);
            assertThat(VectorDepthwise.halves(g)).as("width %d", inW).isTrue();
            checkAgainstReference(r, g, act, 1e-5f, "width " + inW + " pads " + padTop + " " + padLeft + " "
                    + padBottom + " " + padRight + " " + act.kind());
        }
    }

    /**
     * Stride-1 3 x 3 layers: the column-strip kernel from two vectors wide, the grid below that (whose
     * copy out runs past short rows into the rows and planes written after them). Every width from one
     * element to several vectors, paddings 0-2 (asymmetric too), every activation, two images; chunks
     * run in either order must give the same output.
     */
    @Test
    void stride1ThreeByThreeMatchesTheReferenceOnEveryWidthPaddingAndActivation() {
        SplittableRandom r = new SplittableRandom(31);
        Activation[] acts = {Activation.NONE, Activation.RELU, Activation.clip(0f, 6f), Activation.leakyRelu(0.1f),
            Activation.SIGMOID};
        for (int inW = 1; inW <= 75; inW += 1 + r.nextInt(2)) {
            for (int pad = 0; pad <= 2; pad++) {
                int padLeft = pad == 2 ? 1 : pad;
                int inH = 1 + r.nextInt(9);
                int channels = 1 + r.nextInt(5);
                int outH = ConvGeometry.outputSize(inH, 3, 1, pad, pad, 1);
                int outW = ConvGeometry.outputSize(inW, 3, 1, padLeft, pad, 1);
                if (outH < 1 || outW < 1) {
                    continue;
                }
                Activation act = acts[r.nextInt(acts.length)];
                ConvGeometry g = new ConvGeometry(channels, inH, inW, channels, outH, outW, 3, 3, 1, 1, pad, padLeft,
                        1, 1, channels);
                checkAgainstReference(r, g, act, 1e-5f, "width " + inW + " pad " + pad + " " + act.kind());
            }
        }
    }

    /** Chunks on threads at once share only what they read: MobileNetV2-sized layers, four threads. */
    @Test
    void chunksRunningAtOnceGiveTheSequentialResult() {
        SplittableRandom r = new SplittableRandom(13);
        for (int stride = 1; stride <= 2; stride++) {
            int channels = 96;
            int out = ConvGeometry.outputSize(56, 3, stride, 1, 1, 1);
            ConvGeometry g = new ConvGeometry(channels, 56, 56, channels, out, out, 3, 3, stride, stride, 1, 1, 1, 1,
                    channels);
            ConvWeights w = vector.prepareConv(random(r, channels * 9), random(r, channels), channels, 1, 3, 3,
                    channels);
            float[] in = random(r, channels * 56 * 56);
            float[] expected = new float[channels * out * out];
            vector.conv2d(g, w, Activation.clip(0f, 6f), in, expected, 1, ComputeContext.sequential());
            for (int run = 0; run < 10; run++) {
                float[] actual = new float[expected.length];
                vector.conv2d(g, w, Activation.clip(0f, 6f), in, actual, 1, new ThreadedContext(4));
                assertThat(actual).as("stride %d run %d", stride, run).isEqualTo(expected);
            }
        }
    }

    /**
     * A 3 x 3 depthwise layer on two images with seeded weights, bias and input: the vector kernels on
     * one thread within {@code tolerance} of the reference, and on two threads and on three in reverse
     * chunk order bit for bit equal to one thread.
     */
    private void checkAgainstReference(SplittableRandom r, ConvGeometry g, Activation act, float tolerance,
                                       String what) {
        int channels = g.outChannels();
        float[] w = random(r, channels * 9);
        float[] bias = random(r, channels);
        float[] in = random(r, 2 * channels * g.inH() * g.inW());
        float[] expected = new float[2 * channels * g.outH() * g.outW()];
        scalar.conv2d(g, scalar.prepareConv(w, bias, channels, 1, 3, 3, channels), act, in, expected, 2,
                ComputeContext.sequential());
        ConvWeights prepared = vector.prepareConv(w, bias, channels, 1, 3, 3, channels);
        float[] single = new float[expected.length];
        vector.conv2d(g, prepared, act, in, single, 2, ComputeContext.sequential());
        for (int i = 0; i < expected.length; i++) {
            assertThat(single[i]).as("%s element %d", what, i)
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tolerance));
        }
        float[] threaded = new float[expected.length];
        vector.conv2d(g, prepared, act, in, threaded, 2, new ThreadedContext(2));
        assertThat(threaded).as("%s on two threads", what).isEqualTo(single);
        float[] lastFirst = new float[expected.length];
        vector.conv2d(g, prepared, act, in, lastFirst, 2, ThreadedContext.reversed(3));
        assertThat(lastFirst).as("%s, chunks last first", what).isEqualTo(single);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
