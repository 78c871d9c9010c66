package dev.retina.engine.kernel;

/**
 * An elementwise activation, applied on its own or fused into the epilogue of a Conv/Gemm kernel.
 *
 * @param kind  which function
 * @param alpha LeakyRelu slope for negative inputs; Clip lower bound
 * @param beta  Clip upper bound
 */
public record Activation(Kind kind, float alpha, float beta) {

    /** The supported functions. */
    public enum Kind {
        /** {@code x}. */
        NONE,
        /** {@code max(x, 0)}. */
        RELU,
        /** {@code min(max(x, alpha), beta)}, so all values are beta if alpha > beta; ReLU6 is Clip(0, 6). */
        CLIP,
        /** {@code x >= 0 ? x : alpha * x}. */
        LEAKY_RELU,
        /** {@code 1 / (1 + exp(-x))}. */
        SIGMOID
    }

    public static final Activation NONE = new Activation(Kind.NONE, 0f, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f, 0f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f, 0f);

    public static Activation clip(float min, float max) {
        return new Activation(Kind.CLIP, min, max);
    }

    public static Activation leakyRelu(float alpha) {
        return new Activation(Kind.LEAKY_RELU, alpha, 0f);
    }

    public boolean isNone() {
        return kind == Kind.NONE;
    }

    /** The activation of one value. */
    public float apply(float x) {
        switch (kind) {
            case NONE:
                return x;
            case RELU:
                return x > 0f ? x : 0f;
            case CLIP:
                // max then min, so min > max gives max (ONNX); NaN passes through, as in ONNX Runtime.
                float low = x < alpha ? alpha : x;
                return low > beta ? beta : low;
            case LEAKY_RELU:
                return x >= 0f ? x : alpha * x;
            case SIGMOID:
                return (float) (1.0 / (1.0 + Math.exp(-x)));
            default:
                throw new IllegalStateException("unhandled activation " + kind);
        }
    }

    /** Applies the activation in place to {@code a[from, to)}. */
    public void applyInPlace(float[] a, int from, int to) {
        switch (kind) {
            case NONE:
                return;
            case RELU:
                for (int i = from; i < to; i++) {
                    a[i] = a[i] > 0f ? a[i] : 0f;
                }
                return;
            default:
                for (int i = from; i < to; i++) {
                    a[i] = apply(a[i]);
                }
        }
    }
}
