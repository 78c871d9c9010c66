package dev.retina.streams;

import java.util.List;
import java.util.Objects;

import dev.retina.engine.model.Prediction;
import dev.retina.streams.model.ModelIdentity;

/**
 * The outcome of classifying one image, with what the statistics need besides the result itself.
 *
 * @param model           the model that produced it
 * @param topK            the most probable classes, highest first
 * @param probabilities   the whole class distribution, one value per label in model output order (not copied:
 *                        callers must not modify it)
 * @param decodeMillis    decode plus preprocessing time
 * @param inferenceMillis forward pass time, including the wait for an engine worker
 * @param width           width of the decoded image, pixels
 * @param height          height of the decoded image, pixels
 * @param brightness      mean ITU-R 601 luma of the decoded image, in [0, 1]
 * @param contrast        population standard deviation of that luma, in [0, 0.5]
 * @param embedding       the image's embedding (the input of the model's final classifier layer, one value per
 *                        dimension, see the engine's {@code EmbeddingRows}), or null when the model has none (not
 *                        copied: callers must not modify it)
 */
public record Classification(ModelIdentity model, List<Prediction> topK, double[] probabilities,
                             double decodeMillis, double inferenceMillis, int width, int height,
                             double brightness, double contrast, float[] embedding) {

    public Classification {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(probabilities, "probabilities");
        topK = List.copyOf(topK);
    }
}
