package dev.retina.engine.train;

/** {@code [C, H, W]} to {@code [C * H * W]}: the row-major data is unchanged, only the shape changes. */
final class FlattenLayer extends Layer {

    FlattenLayer(LayerSpec.Flatten spec, int[] inDims) {
        super(spec, inDims, new int[] {product(inDims)});
    }

    @Override
    void forward(float[] params, float[] x, float[] y, Object scratch) {
        System.arraycopy(x, 0, y, 0, outSize);
    }

    @Override
    void backward(float[] params, float[] x, float[] y, float[] dy, float[] dx, float[] grad, Object scratch) {
        if (dx != null) {
            System.arraycopy(dy, 0, dx, 0, inSize);
        }
    }
}
