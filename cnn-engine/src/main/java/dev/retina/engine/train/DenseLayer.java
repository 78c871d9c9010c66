package dev.retina.engine.train;

import java.util.Arrays;
import java.util.Random;

/**
 * Fully connected layer: input {@code [N]}, output {@code [M]}, {@code y = W x + b} with weight
 * {@code [M, N]} then bias {@code [M]} in the parameter vector (ONNX Gemm with {@code transB = 1}).
 */
final class DenseLayer extends Layer {

    private final int in;
    private final int out;

    DenseLayer(LayerSpec.Dense spec, int[] inDims) {
        super(spec, inDims, new int[] {spec.outFeatures()});
        if (inDims.length != 1) {
            throw new IllegalArgumentException(spec.token() + " expects a flat [N] input, found " + Arrays.toString(inDims));
        }
        this.in = inDims[0];
        this.out = spec.outFeatures();
    }

    @Override
    int paramCount() {
        return out * in + out;
    }

    @Override
    void init(float[] params, Random random) {
        heNormal(params, paramOffset, out * in, in, random);
        Arrays.fill(params, paramOffset + out * in, paramOffset + paramCount(), 0f);
    }

    @Override
    long macs() {
        return (long) out * in;
    }

    @Override
    void forward(float[] params, float[] x, float[] y, Object scratch) {
        int bOff = paramOffset + out * in;
        for (int o = 0; o < out; o++) {
            int w = paramOffset + o * in;
            float sum = 0f;
            for (int i = 0; i < in; i++) {
                sum += params[w + i] * x[i];
            }
            y[o] = sum + params[bOff + o];
        }
    }

    @Override
    void backward(float[] params, float[] x, float[] y, float[] dy, float[] dx, float[] grad, Object scratch) {
        int bOff = paramOffset + out * in;
        if (dx != null) {
            Arrays.fill(dx, 0, in, 0f);
        }
        for (int o = 0; o < out; o++) {
            float g = dy[o];
            int w = paramOffset + o * in;
            for (int i = 0; i < in; i++) {
                grad[w + i] += g * x[i];
            }
            grad[bOff + o] += g;
            if (dx != null) {
                for (int i = 0; i < in; i++) {
                    dx[i] += g * params[w + i];
                }
            }
        }
    }
}
