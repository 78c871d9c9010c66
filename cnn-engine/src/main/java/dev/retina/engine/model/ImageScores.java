package dev.retina.engine.model;

import java.util.List;
import java.util.Objects;

/**
 * Everything one forward pass says about one image: the top k, the whole class distribution and the embedding.
 *
 * @param topK          the most probable classes, highest first
 * @param probabilities one probability per label, in model output order (not copied: callers must not modify it)
 * @param embedding     the image's embedding (see {@link ModelPackage#embedding()} and {@link EmbeddingRows}); empty
 *                      when the model has none (not copied either)
 */
public record ImageScores(List<Prediction> topK, double[] probabilities, float[] embedding) {

    public ImageScores {
        topK = List.copyOf(topK);
        Objects.requireNonNull(probabilities, "probabilities");
        Objects.requireNonNull(embedding, "embedding");
    }
}
