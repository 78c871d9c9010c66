package dev.retina.engine.data;

import java.util.Arrays;

/**
 * The content of one IDX file of unsigned bytes: its dimensions (outermost first) and the values in
 * row-major order. {@code data.length} equals the product of {@code dims}.
 */
public record IdxArray(int[] dims, byte[] data) {

    public IdxArray {
        dims = dims.clone();
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " does not match dims " + Arrays.toString(dims));
        }
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    @Override
    public String toString() {
        return "IdxArray" + Arrays.toString(dims);
    }
}
