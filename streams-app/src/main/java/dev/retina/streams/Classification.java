package dev.retina.streams;

import java.util.List;

import dev.retina.engine.model.Prediction;
import dev.retina.streams.model.ModelIdentity;

/**
 * The outcome of classifying one image.
 *
 * @param model           the model that produced it
 * @param topK            the most probable classes, highest first
 * @param decodeMillis    decode plus preprocessing time
 * @param inferenceMillis forward pass time, including the wait for an engine worker
 * @param width           width of the decoded image, pixels
 * @param height          height of the decoded image, pixels
 */
public record Classification(ModelIdentity model, List<Prediction> topK, double decodeMillis,
                             double inferenceMillis, int width, int height) {

    public Classification {
        topK = List.copyOf(topK);
    }
}
