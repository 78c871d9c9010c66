package dev.retina.engine.train;

/**
 * Applies one update to a parameter vector from the batch-mean gradient. Implementations keep their
 * per-parameter state (momentum, moments) between steps; they run on one thread.
 */
interface Optimizer {

    /** Updates {@code params} in place from {@code grad} (same length) with learning rate {@code lr}. */
    void step(float[] params, float[] grad, float lr);

    static Optimizer create(OptimizerKind kind, int parameters, float momentum) {
        switch (kind) {
            case SGD:
                return new Sgd(parameters, momentum);
            case ADAM:
                return new Adam(parameters);
            default:
                throw new IllegalArgumentException("unknown optimizer " + kind);
        }
    }

    /** {@code v = momentum * v + g; w -= lr * v}. */
    final class Sgd implements Optimizer {
        private final float[] velocity;
        private final float momentum;

        Sgd(int parameters, float momentum) {
            this.velocity = new float[parameters];
            this.momentum = momentum;
        }

        @Override
        public void step(float[] params, float[] grad, float lr) {
            for (int i = 0; i < params.length; i++) {
                float v = momentum * velocity[i] + grad[i];
                velocity[i] = v;
                params[i] -= lr * v;
            }
        }
    }

    /** Adam with beta1 0.9, beta2 0.999, epsilon 1e-8 and bias-corrected moments. */
    final class Adam implements Optimizer {
        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final double EPSILON = 1e-8;
        private final float[] m;
        private final float[] v;
        private int t;

        Adam(int parameters) {
            this.m = new float[parameters];
            this.v = new float[parameters];
        }

        @Override
        public void step(float[] params, float[] grad, float lr) {
            t++;
            float b1 = (float) BETA1;
            float b2 = (float) BETA2;
            double c1 = 1 - Math.pow(BETA1, t);
            double c2 = 1 - Math.pow(BETA2, t);
            float stepSize = (float) (lr * Math.sqrt(c2) / c1);
            float eps = (float) (EPSILON * Math.sqrt(c2));
            for (int i = 0; i < params.length; i++) {
                float g = grad[i];
                float mi = b1 * m[i] + (1 - b1) * g;
                float vi = b2 * v[i] + (1 - b2) * g * g;
                m[i] = mi;
                v[i] = vi;
                params[i] -= stepSize * mi / ((float) Math.sqrt(vi) + eps);
            }
        }
    }
}
