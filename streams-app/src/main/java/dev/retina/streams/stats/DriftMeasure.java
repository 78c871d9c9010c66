package dev.retina.streams.stats;

/**
 * Drift of one window against a reference.
 *
 * @param reference              description of the reference (which window, or which file)
 * @param psiClass               population stability index of the top-1 class distribution
 * @param psiConfidence          population stability index of the top-1 score in ten bins of width 0.1
 * @param embeddingMeanDistance  Euclidean distance between the window's and the reference's embedding means; null
 *                               when either side has no embeddings
 * @param embeddingStandardisedShift mean over dimensions of {@code |mu - mu_ref| / sqrt(var_ref + eps)}, the shift in
 *                               reference standard deviations; null when either side has no embeddings
 * @param psiThreshold           the PSI threshold the flag used
 * @param embeddingShiftThreshold the standardised embedding shift threshold the flag used
 * @param drift                  whether {@code psiClass} or {@code psiConfidence} exceeds {@code psiThreshold}, or
 *                               {@code embeddingStandardisedShift} exceeds {@code embeddingShiftThreshold}
 */
public record DriftMeasure(String reference, double psiClass, double psiConfidence, Double embeddingMeanDistance,
                           Double embeddingStandardisedShift, double psiThreshold, double embeddingShiftThreshold,
                           boolean drift) {
}
