package dev.retina.engine.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns one row of model output into probabilities and a top-k list. Whether softmax is applied follows
 * {@link PreprocessSpec.OutputKind}: always for {@code LOGITS}, never for {@code PROBABILITIES}, and for
 * {@code AUTO} only when the row is not already a distribution (some value outside [0, 1], or a sum more than
 * {@value #SUM_TOLERANCE} away from 1).
 */
public final class Scores {

    /** How far from 1 the sum of an {@code AUTO} row may be and still count as probabilities. */
    public static final double SUM_TOLERANCE = 1e-3;

    private Scores() {
    }

    /** Probabilities (double precision) of {@code row[offset .. offset + n)} under the given output kind. */
    public static double[] probabilities(float[] row, int offset, int n, PreprocessSpec.OutputKind kind) {
        double[] p = new double[n];
        if (kind == PreprocessSpec.OutputKind.PROBABILITIES
                || kind == PreprocessSpec.OutputKind.AUTO && isDistribution(row, offset, n)) {
            for (int i = 0; i < n; i++) {
                p[i] = row[offset + i];
            }
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, row[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(row[offset + i] - max); // shifted by the max so exp cannot overflow
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Whether every value is in [0, 1] and they sum to 1 within {@link #SUM_TOLERANCE}. */
    public static boolean isDistribution(float[] row, int offset, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = row[offset + i];
            if (!(v >= 0f && v <= 1f)) {
                return false;
            }
            sum += v;
        }
        return Math.abs(sum - 1.0) <= SUM_TOLERANCE;
    }

    /**
     * The {@code k} highest probabilities, highest first; equal scores keep the lower index first.
     *
     * @throws IllegalArgumentException if {@code k < 1} or the label count differs from the probabilities
     */
    public static List<Prediction> topK(double[] probabilities, List<String> labels, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, found " + k);
        }
        if (labels.size() != probabilities.length) {
            throw new IllegalArgumentException("expected one label per score (" + probabilities.length
                    + "), found " + labels.size() + " labels");
        }
        int n = Math.min(k, probabilities.length);
        int[] best = new int[n];
        int filled = 0;
        // Insertion into a small sorted array: k is tiny compared with the class count.
        for (int i = 0; i < probabilities.length; i++) {
            double v = probabilities[i];
            if (filled == n && !(v > probabilities[best[n - 1]])) {
                continue;
            }
            int j = filled < n ? filled++ : n - 1;
            while (j > 0 && v > probabilities[best[j - 1]]) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = i;
        }
        List<Prediction> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Prediction(labels.get(best[i]), best[i], probabilities[best[i]]));
        }
        return out;
    }
}
