package dev.retina.engine.train;

import java.util.Arrays;

/**
 * Max pooling per channel without padding: input {@code [C, H, W]}, output {@code [C, OH, OW]} with
 * {@code OH = (H - K) / stride + 1}. The gradient goes to the first maximum of each window (row-major
 * scan), which forward records per output element.
 */
final class MaxPoolLayer extends Layer {

    private final int channels;
    private final int inH;
    private final int inW;
    private final int k;
    private final int stride;
    private final int outH;
    private final int outW;

    MaxPoolLayer(LayerSpec.MaxPool spec, int[] inDims) {
        super(spec, inDims, outDims(spec, inDims));
        this.channels = inDims[0];
        this.inH = inDims[1];
        this.inW = inDims[2];
        this.k = spec.kernel();
        this.stride = spec.stride();
        this.outH = outDims[1];
        this.outW = outDims[2];
    }

    private static int[] outDims(LayerSpec.MaxPool spec, int[] in) {
        if (in.length != 3) {
            throw new IllegalArgumentException(spec.token() + " expects a [C, H, W] input, found " + Arrays.toString(in));
        }
        if (in[1] < spec.kernel() || in[2] < spec.kernel()) {
            throw new IllegalArgumentException(spec.token() + " window " + spec.kernel()
                    + " is larger than its input " + Arrays.toString(in));
        }
        return new int[] {in[0], (in[1] - spec.kernel()) / spec.stride() + 1, (in[2] - spec.kernel()) / spec.stride() + 1};
    }

    @Override
    Object newScratch() {
        return new int[outSize];
    }

    @Override
    void forward(float[] params, float[] x, float[] y, Object scratch) {
        int[] argmax = (int[]) scratch;
        int o = 0;
        for (int c = 0; c < channels; c++) {
            int plane = c * inH * inW;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++, o++) {
                    int best = plane + (oy * stride) * inW + ox * stride;
                    float max = x[best];
                    for (int ky = 0; ky < k; ky++) {
                        int row = plane + (oy * stride + ky) * inW + ox * stride;
                        for (int kx = 0; kx < k; kx++) {
                            if (x[row + kx] > max) {
                                max = x[row + kx];
                                best = row + kx;
                            }
                        }
                    }
                    y[o] = max;
                    argmax[o] = best;
                }
            }
        }
    }

    @Override
    void backward(float[] params, float[] x, float[] y, float[] dy, float[] dx, float[] grad, Object scratch) {
        if (dx == null) {
            return;
        }
        int[] argmax = (int[]) scratch;
        Arrays.fill(dx, 0, inSize, 0f);
        for (int o = 0; o < outSize; o++) {
            dx[argmax[o]] += dy[o];
        }
    }
}
