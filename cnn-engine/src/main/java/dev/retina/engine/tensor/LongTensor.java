package dev.retina.engine.tensor;

/**
 * An int64 tensor, row-major. Used only for load-time shape arithmetic (Reshape targets, Shape,
 * Gather, Unsqueeze axes); never computed on at inference time.
 */
public final class LongTensor implements Value {

    private final Shape shape;
    private final long[] data;

    private LongTensor(Shape shape, long[] data) {
        this.shape = shape;
        this.data = data;
    }

    /** Wraps {@code data} (not copied); its length must equal {@code shape.size()}. */
    public static LongTensor of(Shape shape, long[] data) {
        if (!shape.isStatic() || data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements, found " + data.length);
        }
        return new LongTensor(shape, data);
    }

    /** A rank-1 tensor of the given values. */
    public static LongTensor vector(long... values) {
        return new LongTensor(Shape.of(values.length), values.clone());
    }

    @Override
    public Shape shape() {
        return shape;
    }

    /** The backing array (not a copy). */
    public long[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "LongTensor" + shape;
    }
}
