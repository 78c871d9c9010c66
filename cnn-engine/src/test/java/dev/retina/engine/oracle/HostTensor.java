package dev.retina.engine.oracle;

import java.util.Arrays;

/**
 * A float32 tensor as plain arrays (C order), the common currency between ONNX Runtime and the engine in these tests.
 *
 * @param shape dims, outermost first; empty for a scalar
 * @param data  row-major values; length = product of {@code shape}
 */
record HostTensor(int[] shape, float[] data) {
    HostTensor {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " elements, found " + data.length);
        }
    }

    long[] longShape() {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape);
    }
}
