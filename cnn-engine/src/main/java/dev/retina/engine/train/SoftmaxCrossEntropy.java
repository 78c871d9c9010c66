package dev.retina.engine.train;

/**
 * Softmax followed by cross-entropy against a class index: {@code loss = -log softmax(z)[label]}, and
 * its gradient with respect to the logits {@code dz = softmax(z) - onehot(label)}.
 */
final class SoftmaxCrossEntropy {

    private SoftmaxCrossEntropy() {
    }

    /** Writes {@code softmax(z)} into {@code probs} (numerically stable: the maximum is subtracted first). */
    static void softmax(float[] z, int n, float[] probs) {
        float max = z[0];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, z[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(z[i] - max);
            probs[i] = (float) e;
            sum += e;
        }
        for (int i = 0; i < n; i++) {
            probs[i] = (float) (probs[i] / sum);
        }
    }

    /**
     * Fills {@code probs} and {@code dz} (both length {@code n}) and returns the loss for {@code label}.
     */
    static float lossAndGradient(float[] z, int n, int label, float[] probs, float[] dz) {
        float max = z[0];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, z[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(z[i] - max);
        }
        double logSum = Math.log(sum);
        for (int i = 0; i < n; i++) {
            double p = Math.exp(z[i] - max - logSum);
            probs[i] = (float) p;
            dz[i] = (float) (i == label ? p - 1.0 : p);
        }
        return (float) (logSum - (z[label] - max));
    }

    /** Index of the largest value; the first one on ties. */
    static int argmax(float[] v, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
