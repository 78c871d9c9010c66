package dev.retina.engine.tensor;

import java.util.Arrays;

/**
 * Immutable tensor shape: a list of dimensions, outermost first (row-major / C order).
 *
 * <p>A dimension is a non-negative size, or {@link #UNKNOWN} (-1) for a dimension only known at run
 * time (the dynamic batch dimension of a model input). A rank-0 shape describes a scalar (size 1).
 */
public final class Shape {

    /** Marks a dimension that is only known at run time. */
    public static final int UNKNOWN = -1;

    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /**
     * @param dims the dimensions, each {@code >= 0} or {@link #UNKNOWN}
     * @throws IllegalArgumentException for a dimension below -1
     */
    public static Shape of(int... dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < UNKNOWN) {
                throw new IllegalArgumentException(
                        "dimension " + i + " must be >= 0 (or -1 for unknown), found " + dims[i]
                                + " in " + Arrays.toString(dims));
            }
        }
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    /** The rank-0 shape of a scalar. */
    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i}; negative {@code i} counts from the end like numpy. */
    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    /** A copy of the dimensions. */
    public int[] dims() {
        return dims.clone();
    }

    /** Element count (product of dims, 1 for a scalar), or -1 if any dimension is unknown. */
    public long size() {
        long n = 1;
        for (int d : dims) {
            if (d == UNKNOWN) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /** Product of the dimensions from {@code from} (inclusive) to {@code to} (exclusive). */
    public long size(int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** Whether every dimension is known. */
    public boolean isStatic() {
        for (int d : dims) {
            if (d == UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    /** This shape with dimension {@code i} replaced by {@code value}. */
    public Shape withDim(int i, int value) {
        int[] copy = dims.clone();
        copy[i] = value;
        return Shape.of(copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Like {@code [1, 3, 224, 224]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
