package dev.retina.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compares every layer's analytic gradients with central finite differences of the loss. The relative
 * error {@code |a - n| / (|a| + |n|)} over the checked entries (as vectors) is printed and must stay
 * below 1e-2 (float32 arithmetic, step 1e-3). Inputs keep clear of ReLU and max-pool kinks so the loss is
 * smooth within the step.
 */
@Timeout(60)
class GradientCheckTest {

    private static final float STEP = 1e-3f;
    private static final double TOLERANCE = 1e-2;

    @Test
    void convolutionWithPaddingGradients() {
        check("conv same padding", Network.create(2, 5, 5, Architecture.parse("conv:3:3"), 3, 1), 1, false);
    }

    @Test
    void stridedConvolutionWithoutPaddingGradients() {
        check("conv stride 2 pad 0", Network.create(2, 7, 7, Architecture.parse("conv:3:3:2:0"), 4, 2), 2, true);
    }

    @Test
    void reluInputGradient() {
        check("relu", Network.create(2, 4, 4, Architecture.parse("relu"), 3, 3), 0, true);
    }

    @Test
    void maxPoolInputGradient() {
        check("max pool 2", Network.create(2, 4, 4, Architecture.parse("pool:2"), 3, 4), 2, true);
        check("max pool 3 stride 2", Network.create(1, 7, 7, Architecture.parse("pool:3:2"), 3, 5), 1, true);
    }

    @Test
    void denseGradients() {
        check("dense", Network.create(1, 3, 3, Architecture.parse("dense:5,relu"), 4, 6), 3, true);
    }

    @Test
    void flattenPassesGradients() {
        check("flatten", Network.create(2, 3, 3, Architecture.parse("conv:2:3,flatten,dense:3"), 3, 7), 0, true);
    }

    @Test
    void wholeNetworkGradients() {
        Network n = Network.create(3, 12, 12,
                Architecture.parse("conv:4:3:2,relu,pool:2,conv:5:3,relu,pool:2,dense:6,relu"), 4, 8);
        check("conv-relu-pool-dense network", n, 1, true);
    }

    @Test
    void softmaxCrossEntropyGradient() {
        float[] z = {0.3f, -1.2f, 2.0f, 0.05f};
        float[] p = new float[4];
        float[] dz = new float[4];
        float loss = SoftmaxCrossEntropy.lossAndGradient(z, 4, 2, p, dz);
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) loss).isCloseTo(-Math.log(p[2]), org.assertj.core.data.Offset.offset(1e-6));
        double[] numeric = new double[4];
        for (int i = 0; i < 4; i++) {
            float keep = z[i];
            z[i] = keep + STEP;
            float up = SoftmaxCrossEntropy.lossAndGradient(z, 4, 2, new float[4], new float[4]);
            z[i] = keep - STEP;
            float down = SoftmaxCrossEntropy.lossAndGradient(z, 4, 2, new float[4], new float[4]);
            z[i] = keep;
            numeric[i] = (up - down) / (2.0 * STEP);
        }
        double err = relativeError(dz, numeric);
        System.out.printf("gradient check softmax cross-entropy: relative error %.2e%n", err);
        assertThat(err).isLessThan(TOLERANCE);
    }

    /** Checks parameter gradients (when the network has parameters) and, if asked, the input gradient. */
    private static void check(String what, Network net, int label, boolean inputGradient) {
        Random random = new Random(99);
        float[] input = distinctInput(net.inputSize(), random);
        Network.Workspace ws = net.newWorkspace();
        float[] grad = new float[net.parameterCount()];
        System.arraycopy(input, 0, ws.input(), 0, input.length);
        net.forwardBackward(ws, label, grad, true);
        float[] inputGrad = ws.deltas[0].clone();

        float[] params = net.params();
        double[] numeric = new double[params.length];
        for (int i = 0; i < params.length; i++) {
            float keep = params[i];
            params[i] = keep + STEP;
            double up = loss(net, input, label);
            params[i] = keep - STEP;
            double down = loss(net, input, label);
            params[i] = keep;
            numeric[i] = (up - down) / (2.0 * STEP);
        }
        double paramErr = relativeError(grad, numeric);
        System.out.printf("gradient check %s: %d parameters, relative error %.2e%n", what, params.length, paramErr);
        assertThat(paramErr).as("%s parameter gradient relative error", what).isLessThan(TOLERANCE);

        if (inputGradient) {
            double[] numIn = new double[input.length];
            for (int i = 0; i < input.length; i++) {
                float keep = input[i];
                input[i] = keep + STEP;
                double up = loss(net, input, label);
                input[i] = keep - STEP;
                double down = loss(net, input, label);
                input[i] = keep;
                numIn[i] = (up - down) / (2.0 * STEP);
            }
            double inErr = relativeError(inputGrad, numIn);
            System.out.printf("gradient check %s: %d inputs, relative error %.2e%n", what, input.length, inErr);
            assertThat(inErr).as("%s input gradient relative error", what).isLessThan(TOLERANCE);
            assertThat(norm(numIn)).as("%s input gradient is not trivially zero", what).isGreaterThan(1e-4);
        }
    }

    private static double loss(Network net, float[] input, int label) {
        Network.Workspace ws = net.newWorkspace();
        System.arraycopy(input, 0, ws.input(), 0, input.length);
        return net.forwardBackward(ws, label, new float[net.parameterCount()], false);
    }

    /**
     * Values spaced at least 0.04 apart and at least 0.02 away from zero, in random order, so no ReLU or
     * max-pool decision flips within one finite-difference step.
     */
    private static float[] distinctInput(int n, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2f) * 0.04f + 0.02f;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return v;
    }

    private static double relativeError(float[] analytic, double[] numeric) {
        double diff = 0;
        double a = 0;
        double b = 0;
        for (int i = 0; i < numeric.length; i++) {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            a += (double) analytic[i] * analytic[i];
            b += numeric[i] * numeric[i];
        }
        return Math.sqrt(diff) / Math.max(1e-12, Math.sqrt(a) + Math.sqrt(b));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
