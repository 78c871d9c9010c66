package dev.retina.engine.kernel;

/**
 * What a GEMM does with each accumulated dot product {@code acc} of output element {@code (i, j)}:
 * {@code c = act(alpha * acc + bias[biasOffset + i] + (accumulate ? c : 0))}.
 *
 * @param alpha      scale of the product
 * @param bias       per-row bias, or null
 * @param biasOffset index of row 0's bias in {@code bias}
 * @param accumulate whether to add the value already in C
 * @param activation applied last
 */
public record GemmEpilogue(float alpha, float[] bias, int biasOffset, boolean accumulate,
                           Activation activation) {

    /** Plain product, no bias, no activation. */
    public static final GemmEpilogue NONE = new GemmEpilogue(1f, null, 0, false, Activation.NONE);

    public GemmEpilogue withBiasOffset(int offset) {
        return new GemmEpilogue(alpha, bias, offset, accumulate, activation);
    }

    /** The finished value of row {@code i} for accumulated {@code acc} and existing {@code c}. */
    public float finish(int i, float acc, float c) {
        float v = alpha == 1f ? acc : alpha * acc;
        if (bias != null) {
            v += bias[biasOffset + i];
        }
        if (accumulate) {
            v += c;
        }
        return activation.apply(v);
    }

    /**
     * The finished value with a residual term added before the activation:
     * {@code act(alpha * acc + bias[biasOffset + i] + (accumulate ? c : 0) + residual)}.
     */
    public float finish(int i, float acc, float c, float residual) {
        float v = alpha == 1f ? acc : alpha * acc;
        if (bias != null) {
            v += bias[biasOffset + i];
        }
        if (accumulate) {
            v += c;
        }
        v += residual;
        return activation.apply(v);
    }
}
