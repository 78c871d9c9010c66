package dev.retina.cli;

import dev.retina.streams.stats.ClassCounts;
import dev.retina.streams.stats.Drift;
import dev.retina.streams.stats.DriftReference;
import dev.retina.streams.stats.EmbeddingMoments;
import dev.retina.streams.stats.FixedHistogram;
import dev.retina.streams.stats.HistogramLayout;
import java.util.Objects;

/**
 * Accumulates the predictions of an evaluation run into a {@link DriftReference}: class proportions of the top-1
 * labels, the top-1 score in {@value Drift#CONFIDENCE_BINS} bins, and the per-dimension embedding mean and variance.
 * It uses the app's own accumulators (the confidence histogram layout, class counts and Welford moments of
 * {@code dev.retina.streams.stats}), so a window of the same images in the app gives the same proportions.
 * Embeddings are all-or-none: every image has one of the same dimension, or none has.
 */
final class DriftReferenceBuilder {

    private final ClassCounts classes = new ClassCounts();
    private final FixedHistogram confidence = new FixedHistogram(HistogramLayout.CONFIDENCE);
    private EmbeddingMoments embedding;
    private long count;

    /**
     * Adds one prediction.
     *
     * @param top1Label  the top-1 label
     * @param top1Score  its score, in [0, 1]
     * @param embedding  the image's embedding; empty when the model has none
     * @throws IllegalArgumentException on a score outside [0, 1] or an embedding unlike the earlier ones
     */
    void add(String top1Label, double top1Score, float[] embedding) {
        Objects.requireNonNull(top1Label, "top1Label");
        Objects.requireNonNull(embedding, "embedding");
        if (!(top1Score >= 0 && top1Score <= 1)) {
            throw new IllegalArgumentException("expected a top-1 score in [0, 1], found " + top1Score + " for "
                    + top1Label);
        }
        if (count == 0 && embedding.length > 0) {
            this.embedding = new EmbeddingMoments(embedding.length);
        }
        int expected = this.embedding == null ? 0 : this.embedding.dimension();
        if (embedding.length != expected) {
            throw new IllegalArgumentException("expected every image to have an embedding of " + expected
                    + " dimensions, found " + embedding.length + " at image " + (count + 1));
        }
        classes.add(top1Label);
        confidence.add(top1Score);
        if (this.embedding != null) {
            this.embedding.add(embedding);
        }
        count++;
    }

    long count() {
        return count;
    }

    boolean hasEmbedding() {
        return embedding != null;
    }

    /** The reference of everything added; needs at least one prediction. */
    DriftReference build(String description, String modelName, String modelVersion) {
        if (count == 0) {
            throw new IllegalStateException("a drift reference needs at least one prediction, found none");
        }
        return new DriftReference(description, modelName, modelVersion, count, classes.proportions(),
                confidence.groupedProportions(Drift.CONFIDENCE_BINS),
                embedding == null ? null : embedding.mean(), embedding == null ? null : embedding.variance());
    }
}
