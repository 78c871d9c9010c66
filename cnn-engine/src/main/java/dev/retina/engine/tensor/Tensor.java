package dev.retina.engine.tensor;

import java.util.Arrays;

/**
 * A float32 tensor: a {@link Shape} and a row-major (C order) {@code float[]} of exactly
 * {@code shape.size()} elements. Image batches are NCHW.
 *
 * <p>The backing array is shared, not copied: {@link #data()} returns it, and a caller that
 * mutates it changes the tensor.
 */
public final class Tensor implements Value {

    private final Shape shape;
    private final float[] data;

    private Tensor(Shape shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /**
     * Wraps {@code data} (not copied).
     *
     * @throws IllegalArgumentException if the shape has unknown dims or the length does not match
     */
    public static Tensor of(Shape shape, float[] data) {
        if (!shape.isStatic()) {
            throw new IllegalArgumentException("a tensor needs a fully known shape, found " + shape);
        }
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements, found " + data.length);
        }
        return new Tensor(shape, data);
    }

    /** A tensor of zeros. */
    public static Tensor zeros(Shape shape) {
        if (!shape.isStatic()) {
            throw new IllegalArgumentException("a tensor needs a fully known shape, found " + shape);
        }
        if (shape.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + shape + " has " + shape.size()
                    + " elements, more than a Java array can hold");
        }
        return new Tensor(shape, new float[(int) shape.size()]);
    }

    @Override
    public Shape shape() {
        return shape;
    }

    /** The backing array (not a copy). */
    public float[] data() {
        return data;
    }

    /** The element at the given index, one coordinate per dimension. */
    public float get(int... idx) {
        return data[flatIndex(shape, idx)];
    }

    static int flatIndex(Shape shape, int[] idx) {
        if (idx.length != shape.rank()) {
            throw new IllegalArgumentException("index " + Arrays.toString(idx) + " has rank "
                    + idx.length + ", tensor has shape " + shape);
        }
        int flat = 0;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape.dim(i)) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(idx)
                        + " is outside shape " + shape);
            }
            flat = flat * shape.dim(i) + idx[i];
        }
        return flat;
    }

    @Override
    public String toString() {
        return "Tensor" + shape;
    }
}
