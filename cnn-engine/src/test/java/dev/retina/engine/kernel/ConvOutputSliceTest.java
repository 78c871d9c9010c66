package dev.retina.engine.kernel;

import static dev.retina.engine.kernel.ConvTestData.geometry;
import static dev.retina.engine.kernel.ConvTestData.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A convolution into a channel slice of a larger output ({@link ConvGeometry#withOutputSlice}, how a
 * Concat of convolutions is written in place): every kernel set and every convolution path (1 x 1,
 * implicit GEMM gathered and in place, shared im2col, im2col, grouped, depthwise sliding and on the
 * grid) writes the slice as it would write a tensor of its own, and not one element outside it, at
 * batch 1 and 3, on one thread and on several in either order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConvOutputSliceTest {

    private static final float SENTINEL = 12345.5f;

    private final Kernels reference = new ScalarKernels();

    @Test
    void everyPathWritesExactlyItsSlice() {
        SplittableRandom r = new SplittableRandom(61);
        List<ConvGeometry> shapes = new ArrayList<>(List.of(
                geometry(16, 64, 1, 13, 13, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
                geometry(16, 64, 1, 27, 27, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
                geometry(16, 16, 1, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
                geometry(64, 40, 1, 13, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
                geometry(8, 20, 1, 17, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                geometry(4, 6, 3, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
                geometry(1, 1, 32, 40, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
                geometry(1, 1, 24, 30, 30, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                geometry(1, 1, 16, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
        for (int trial = 0; trial < 12; trial++) {
            int k = 1 + 2 * r.nextInt(2);
            int s = 1 + r.nextInt(2);
            int size = k + r.nextInt(20);
            shapes.add(geometry(1 + r.nextInt(40), 1 + r.nextInt(40), 1, size, size + r.nextInt(5), k, k, s, s,
                    1, 1, k / 2, k / 2, k / 2, k / 2));
        }
        Kernels[] sets = {new ScalarKernels(), new FastKernels(), new VectorKernels()};
        ComputeContext[] contexts = {ComputeContext.sequential(), new ThreadedContext(2), ThreadedContext.reversed(3)};
        for (ConvGeometry g : shapes) {
            for (int batch : new int[] {1, 3}) {
                int before = r.nextInt(3) * 8;
                int after = r.nextInt(2) * 5;
                for (Kernels kernels : sets) {
                    check(r, g, batch, before, after, kernels, contexts[r.nextInt(contexts.length)]);
                }
            }
        }
    }

    @Test
    void aResidualSumIntoASliceIsRefused() {
        ConvGeometry g = geometry(16, 32, 1, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1).withOutputSlice(8, 48);
        for (Kernels kernels : new Kernels[] {new ScalarKernels(), new VectorKernels()}) {
            ConvWeights w = kernels.prepareConv(new float[32 * 16 * 9], null, 32, 16, 3, 3, 1);
            assertThatThrownBy(() -> kernels.conv2dResidual(g, w, Activation.RELU, new float[16 * 64],
                    new float[32 * 64], new float[48 * 64], 1, ComputeContext.sequential()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected a whole output, found a slice of channels from 8 of 48");
        }
    }

    @Test
    void aSliceOutsideTheImageIsRefused() {
        ConvGeometry g = geometry(4, 32, 1, 8, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
        assertThatThrownBy(() -> g.withOutputSlice(20, 48))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output channels [20, 52) expected inside an image of 48 channels");
        assertThat(g.withOutputSlice(16, 48).isSliced()).isTrue();
        assertThat(g.isSliced()).isFalse();
    }

    private void check(SplittableRandom r, ConvGeometry g, int batch, int before, int after, Kernels kernels,
                       ComputeContext ctx) {
        int m = g.outChannels();
        int k = g.inPerGroup() * g.kernelH() * g.kernelW();
        float[] weights = random(r, m * k);
        float[] bias = random(r, m);
        float[] in = random(r, batch * g.inChannels() * g.inH() * g.inW());
        int plane = g.outH() * g.outW();
        float[] expected = new float[batch * m * plane];
        ConvWeights refWeights = reference.prepareConv(weights, bias, m, g.inPerGroup(), g.kernelH(), g.kernelW(),
                g.group());
        reference.conv2d(g, refWeights, Activation.RELU, in, expected, batch, ComputeContext.sequential());

        int channels = before + m + after;
        ConvGeometry sliced = g.withOutputSlice(before, channels);
        float[] out = new float[batch * channels * plane];
        java.util.Arrays.fill(out, SENTINEL);
        ConvWeights w = kernels.prepareConv(weights, bias, m, g.inPerGroup(), g.kernelH(), g.kernelW(), g.group());
        kernels.conv2d(sliced, w, Activation.RELU, in, out, batch, ctx);

        String what = kernels.name() + " " + sliced + " batch " + batch;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    float actual = out[(n * channels + c) * plane + p];
                    if (c < before || c >= before + m) {
                        assertThat(actual).as("%s: image %d channel %d element %d outside the slice", what, n, c, p)
                                .isEqualTo(SENTINEL);
                    } else {
                        float want = expected[(n * m + c - before) * plane + p];
                        assertThat(Math.abs(actual - want)).as("%s: image %d channel %d element %d: %s vs %s", what,
                                n, c, p, actual, want).isLessThanOrEqualTo(1e-4f * Math.max(1f, Math.abs(want)));
                    }
                }
            }
        }
    }
}
