package dev.retina.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.engine.tensor.Shape;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The vector elementwise kernels against the scalar reference: binary arithmetic on random
 * broadcast shapes and activations exactly (same single rounding), global average pooling within
 * float rounding; each on one chunk and on several threads, and big enough to be split.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VectorElementwiseTest {

    private final Kernels scalar = new ScalarKernels();
    private final Kernels vector = KernelProvider.byName("vector");

    @Test
    void binaryMatchesTheReferenceBitForBitOnRandomBroadcasts() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 150; trial++) {
            int rank = 1 + r.nextInt(4);
            int[] out = new int[rank];
            for (int d = 0; d < rank; d++) {
                out[d] = 1 + r.nextInt(d == rank - 1 && r.nextInt(4) == 0 ? 300 : 9);
            }
            Shape a = operand(r, out);
            Shape b = operand(r, out);
            Broadcast plan = Broadcast.of(a, b);
            BinaryOp op = BinaryOp.values()[r.nextInt(BinaryOp.values().length)];
            float[] x = random(r, (int) a.size());
            float[] y = random(r, (int) b.size());
            float[] expected = new float[plan.outSize()];
            scalar.binary(op, plan, x, y, expected, ComputeContext.sequential());
            float[] single = new float[expected.length];
            vector.binary(op, plan, x, y, single, ComputeContext.sequential());
            float[] threaded = new float[expected.length];
            vector.binary(op, plan, x, y, threaded, new ThreadedContext(3));
            assertThat(single).as("trial %d: %s %s %s", trial, a, op, b).containsExactly(expected);
            assertThat(threaded).as("trial %d threaded: %s %s %s", trial, a, op, b).containsExactly(expected);
        }
    }

    @Test
    void largeSameShapeAndChannelBroadcastAddsAreSplitAndExact() {
        SplittableRandom r = new SplittableRandom(6);
        Shape full = Shape.of(2, 24, 57, 31);
        for (Shape other : new Shape[] {full, Shape.of(1, 24, 1, 1), Shape.of(31), Shape.of(2, 1, 57, 31)}) {
            Broadcast plan = Broadcast.of(full, other);
            float[] x = random(r, (int) full.size());
            float[] y = random(r, (int) other.size());
            float[] expected = new float[plan.outSize()];
            scalar.binary(BinaryOp.ADD, plan, x, y, expected, ComputeContext.sequential());
            float[] actual = new float[expected.length];
            vector.binary(BinaryOp.ADD, plan, x, y, actual, new ThreadedContext(2));
            assertThat(actual).as("%s + %s", full, other).containsExactly(expected);
        }
    }

    @Test
    void activationsMatchTheReferenceBitForBitIncludingNan() {
        SplittableRandom r = new SplittableRandom(7);
        Activation[] acts = {Activation.NONE, Activation.RELU, Activation.clip(0f, 6f), Activation.clip(-0.5f, 0.25f),
                Activation.leakyRelu(0.1f), Activation.SIGMOID};
        for (int length : new int[] {1, 15, 16, 17, 100, 70_001}) {
            float[] in = random(r, length);
            in[r.nextInt(length)] = Float.NaN;
            for (Activation act : acts) {
                float[] expected = new float[length];
                scalar.activation(act, in, expected, length, ComputeContext.sequential());
                float[] actual = new float[length];
                vector.activation(act, in, actual, length, new ThreadedContext(2));
                assertThat(actual).as("%s, length %d", act, length).containsExactly(expected);
            }
        }
    }

    @Test
    void globalAveragePoolMatchesTheReferenceWithinRounding() {
        SplittableRandom r = new SplittableRandom(8);
        for (int spatial : new int[] {1, 7, 16, 49, 196, 3136}) {
            int planes = 1 + r.nextInt(300);
            float[] in = random(r, planes * spatial);
            float[] expected = new float[planes];
            scalar.globalPool(false, in, expected, planes, spatial, ComputeContext.sequential());
            float[] actual = new float[planes];
            vector.globalPool(false, in, actual, planes, spatial, new ThreadedContext(2));
            for (int p = 0; p < planes; p++) {
                assertThat(actual[p]).as("plane %d of %d x %d", p, planes, spatial)
                        .isCloseTo(expected[p], org.assertj.core.data.Offset.offset(1e-5f));
            }
            float[] max = new float[planes];
            float[] maxExpected = new float[planes];
            vector.globalPool(true, in, max, planes, spatial, new ThreadedContext(2));
            scalar.globalPool(true, in, maxExpected, planes, spatial, ComputeContext.sequential());
            assertThat(max).containsExactly(maxExpected);
        }
    }

    /** A random shape that broadcasts to {@code out}: a suffix of it with some dimensions set to 1. */
    private static Shape operand(SplittableRandom r, int[] out) {
        int rank = 1 + r.nextInt(out.length);
        int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = r.nextInt(3) == 0 ? 1 : out[out.length - rank + d];
        }
        return Shape.of(dims);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
