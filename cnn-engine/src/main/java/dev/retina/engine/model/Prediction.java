package dev.retina.engine.model;

/**
 * One entry of a top-k classification.
 *
 * @param label the class label (from labels.txt)
 * @param index zero-based class index in the model output and the label list
 * @param score probability of the class, in [0, 1]
 */
public record Prediction(String label, int index, double score) {
}
