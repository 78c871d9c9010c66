package dev.retina.streams.stats;

import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a window with a {@link DriftReference}.
 *
 * <p>Population stability index of two distributions {@code p} (window) and {@code q} (reference) over the same
 * bins: {@code PSI = sum_i (p_i - q_i) * ln(p_i / q_i)}. A bin empty on one side would make that infinite, so both
 * are smoothed first: {@code p_i' = (p_i + eps) / (1 + k * eps)} over {@code k} bins (still a distribution; with
 * the default eps = 1e-4 a class at 10% of the window and absent from the reference adds about 0.69). Classes are
 * the union of the labels of both sides; confidence uses ten bins of width 0.1 over [0, 1]. PSI is 0 for identical
 * distributions and grows with the shift.
 *
 * <p>Embedding shift: the Euclidean distance of the means (the FeatureStats field), and the standardised shift
 * {@code mean_d |mu_d - mu_ref_d| / sqrt(var_ref_d + eps)} (scale-free, in reference standard deviations). The drift
 * flag is raised when either PSI exceeds the PSI threshold or the standardised shift exceeds the embedding threshold.
 */
public final class Drift {

    /** Bins of the confidence PSI: ten of width 0.1 over [0, 1]. */
    public static final int CONFIDENCE_BINS = 10;

    private Drift() {
    }

    /**
     * Drift of {@code window} against {@code reference}.
     *
     * @throws IllegalArgumentException if the window is empty, or both have embeddings of different dimensions
     */
    public static DriftMeasure compare(WindowAggregate window, DriftReference reference, DriftSettings settings) {
        if (window.count() == 0) {
            throw new IllegalArgumentException("drift needs a window with at least one observation, found none");
        }
        double psiClass = classPsi(window.classCounts().proportions(), reference.classProportions(),
            settings.epsilon());
        double psiConfidence = psi(window.confidenceHistogram().groupedProportions(CONFIDENCE_BINS),
            reference.confidenceBins(), settings.epsilon());
        Double distance = null;
        Double standardised = null;
        EmbeddingMoments e = window.embedding();
        if (e != null && e.count() > 0 && reference.hasEmbedding()) {
            double[] mu = e.mean();
            double[] muRef = reference.embeddingMean();
            double[] varRef = reference.embeddingVariance();
            if (mu.length != muRef.length) {
                throw new IllegalArgumentException("reference '" + reference.description() + "' has embeddings of"
                    + " dimension " + muRef.length + ", the window has dimension " + mu.length);
            }
            double sq = 0;
            double z = 0;
            for (int d = 0; d < mu.length; d++) {
                double diff = mu[d] - muRef[d];
                sq += diff * diff;
                z += Math.abs(diff) / Math.sqrt(varRef[d] + settings.epsilon());
            }
            distance = Math.sqrt(sq);
            standardised = z / mu.length;
        }
        boolean drift = psiClass > settings.psiThreshold() || psiConfidence > settings.psiThreshold()
            || standardised != null && standardised > settings.embeddingShiftThreshold();
        return new DriftMeasure(reference.description(), psiClass, psiConfidence, distance, standardised,
            settings.psiThreshold(), settings.embeddingShiftThreshold(), drift);
    }

    /** PSI of two label distributions over the union of their labels (a label missing on one side has p = 0). */
    public static double classPsi(Map<String, Double> actual, Map<String, Double> expected, double epsilon) {
        TreeSet<String> labels = new TreeSet<>(actual.keySet());
        labels.addAll(expected.keySet());
        double[] p = new double[labels.size()];
        double[] q = new double[labels.size()];
        int i = 0;
        for (String label : labels) {
            p[i] = actual.getOrDefault(label, 0.0);
            q[i] = expected.getOrDefault(label, 0.0);
            i++;
        }
        return psi(p, q, epsilon);
    }

    /**
     * PSI of two distributions over the same bins, each smoothed as the class comment states.
     *
     * @throws IllegalArgumentException if the lengths differ, a proportion is negative or not finite
     */
    public static double psi(double[] actual, double[] expected, double epsilon) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("PSI needs the same bins on both sides, found " + actual.length
                + " and " + expected.length);
        }
        int k = actual.length;
        double norm = 1 + k * epsilon;
        double sum = 0;
        for (int i = 0; i < k; i++) {
            if (!(actual[i] >= 0 && expected[i] >= 0 && Double.isFinite(actual[i] + expected[i]))) {
                throw new IllegalArgumentException("proportions must be finite and >= 0, found " + actual[i]
                    + " and " + expected[i] + " in bin " + i);
            }
            double p = (actual[i] + epsilon) / norm;
            double q = (expected[i] + epsilon) / norm;
            sum += (p - q) * Math.log(p / q);
        }
        return sum;
    }
}
