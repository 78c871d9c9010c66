package dev.retina.engine.model;

import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

/**
 * Turns a model's embedding output into one vector per image.
 *
 * <p>An output {@code [N, D]} gives row {@code n} as it is. An output {@code [N, C, d2, ...]} (a feature map, as the
 * input of a conv-only classifier head) gives, per image, the mean of each channel over the remaining dimensions,
 * so the vector has C entries whatever the spatial size; a feature map with one position per channel is the same as
 * {@code [N, C]}. Channel-first is the layout every ONNX Conv uses.
 */
public final class EmbeddingRows {

    private EmbeddingRows() {
    }

    /** Entries per image of an embedding output shaped {@code shape} (C for a feature map, D for {@code [N, D]}). */
    public static int dimension(Shape shape) {
        if (shape.rank() < 2) {
            throw new IllegalArgumentException("expected an embedding shaped [N, D] or [N, C, ...], found " + shape);
        }
        return shape.dim(1);
    }

    /**
     * The embedding of image {@code n} of an output holding {@code batch} images.
     *
     * @throws IllegalArgumentException if the output does not hold {@code batch} images or {@code n} is out of range
     */
    public static float[] row(Tensor output, int batch, int n) {
        Shape shape = output.shape();
        if (shape.rank() < 2 || shape.dim(0) != batch) {
            throw new IllegalArgumentException("expected an embedding output of " + batch + " image(s) shaped [N, D] "
                    + "or [N, C, ...], found " + shape);
        }
        if (n < 0 || n >= batch) {
            throw new IllegalArgumentException("image index expected in [0, " + batch + "), found " + n);
        }
        int channels = shape.dim(1);
        int perImage = (int) (shape.size() / batch);
        int positions = perImage / channels;
        float[] data = output.data();
        float[] row = new float[channels];
        int base = n * perImage;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            int start = base + c * positions;
            for (int p = 0; p < positions; p++) {
                sum += data[start + p];
            }
            row[c] = (float) (sum / positions);
        }
        return row;
    }
}
