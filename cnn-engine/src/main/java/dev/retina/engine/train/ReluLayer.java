package dev.retina.engine.train;

/** {@code y = max(0, x)} element-wise; the gradient passes where {@code x > 0}. Any input shape. */
final class ReluLayer extends Layer {

    ReluLayer(LayerSpec.Relu spec, int[] inDims) {
        super(spec, inDims, inDims);
    }

    @Override
    void forward(float[] params, float[] x, float[] y, Object scratch) {
        for (int i = 0; i < outSize; i++) {
            float v = x[i];
            y[i] = v > 0f ? v : 0f;
        }
    }

    @Override
    void backward(float[] params, float[] x, float[] y, float[] dy, float[] dx, float[] grad, Object scratch) {
        if (dx == null) {
            return;
        }
        for (int i = 0; i < inSize; i++) {
            dx[i] = x[i] > 0f ? dy[i] : 0f;
        }
    }
}
