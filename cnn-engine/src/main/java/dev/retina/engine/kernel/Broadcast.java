package dev.retina.engine.kernel;

import dev.retina.engine.tensor.Shape;

/**
 * Numpy (multidirectional) broadcasting of two inputs to one output: shapes are right-aligned, and
 * each dimension pair must be equal or contain a 1. For every output dimension, {@code aStrides} and
 * {@code bStrides} give the row-major element stride of that dimension in each input, 0 where the
 * input is broadcast along it.
 */
public record Broadcast(int[] outDims, int[] aStrides, int[] bStrides, int outSize) {

    /** The broadcast output shape, or null if the shapes are incompatible. */
    public static Shape outputShape(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dim(i - (rank - a.rank()));
            int db = i < rank - b.rank() ? 1 : b.dim(i - (rank - b.rank()));
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[i] = da == 1 ? db : da;
        }
        return Shape.of(out);
    }

    /** The plan for inputs of shapes {@code a} and {@code b}; they must be broadcast-compatible. */
    public static Broadcast of(Shape a, Shape b) {
        Shape out = outputShape(a, b);
        if (out == null) {
            throw new IllegalArgumentException("shapes " + a + " and " + b + " do not broadcast");
        }
        int rank = out.rank();
        return new Broadcast(out.dims(), strides(a, out), strides(b, out), (int) out.size());
    }

    private static int[] strides(Shape in, Shape out) {
        int rank = out.rank();
        int offset = rank - in.rank();
        int[] strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= offset; i--) {
            int d = in.dim(i - offset);
            strides[i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        return strides;
    }
}
