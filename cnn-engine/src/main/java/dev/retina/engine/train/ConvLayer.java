package dev.retina.engine.train;

import java.util.Arrays;
import java.util.Random;

/**
 * Convolution by im2col and GEMM. Input {@code [C, H, W]}, output {@code [O, OH, OW]}, weight
 * {@code [O, C, K, K]} then bias {@code [O]} in the parameter vector (the ONNX Conv layout).
 * {@code OH = (H + 2 * pad - K) / stride + 1}, likewise OW.
 *
 * <p>The column matrix is {@code [C * K * K, OH * OW]}; its row {@code (c * K + ky) * K + kx} matches the
 * weight's flattened column, so forward is {@code y = W * col + b}, the weight gradient
 * {@code dW += dy * col^T} and the input gradient {@code col2im(W^T * dy)}.
 */
final class ConvLayer extends Layer {

    private final int inC;
    private final int inH;
    private final int inW;
    private final int outC;
    private final int k;
    private final int stride;
    private final int pad;
    private final int outH;
    private final int outW;
    private final int kSize;
    private final int hw;

    /** Per-thread buffers: columns, their transpose, their gradient and the transposed weight. */
    private static final class Scratch {
        final float[] col;
        final float[] colT;
        final float[] dCol;
        final float[] weightT;

        Scratch(int kSize, int hw, int outC) {
            col = new float[kSize * hw];
            colT = new float[kSize * hw];
            dCol = new float[kSize * hw];
            weightT = new float[kSize * outC];
        }
    }

    ConvLayer(LayerSpec.Conv spec, int[] inDims) {
        super(spec, inDims, outDims(spec, inDims));
        this.inC = inDims[0];
        this.inH = inDims[1];
        this.inW = inDims[2];
        this.outC = spec.outChannels();
        this.k = spec.kernel();
        this.stride = spec.stride();
        this.pad = spec.pad();
        this.outH = outDims[1];
        this.outW = outDims[2];
        this.kSize = inC * k * k;
        this.hw = outH * outW;
    }

    private static int[] outDims(LayerSpec.Conv spec, int[] in) {
        if (in.length != 3) {
            throw new IllegalArgumentException(spec.token() + " expects a [C, H, W] input, found "
                    + Arrays.toString(in));
        }
        int oh = (in[1] + 2 * spec.pad() - spec.kernel()) / spec.stride() + 1;
        int ow = (in[2] + 2 * spec.pad() - spec.kernel()) / spec.stride() + 1;
        if (in[1] + 2 * spec.pad() < spec.kernel() || in[2] + 2 * spec.pad() < spec.kernel()) {
            throw new IllegalArgumentException(spec.token() + " kernel " + spec.kernel()
                    + " is larger than its padded input " + Arrays.toString(in));
        }
        return new int[] {spec.outChannels(), oh, ow};
    }

    int weightCount() {
        return outC * kSize;
    }

    @Override
    int paramCount() {
        return outC * kSize + outC;
    }

    @Override
    void init(float[] params, Random random) {
        heNormal(params, paramOffset, weightCount(), kSize, random);
        Arrays.fill(params, paramOffset + weightCount(), paramOffset + paramCount(), 0f);
    }

    @Override
    Object newScratch() {
        return new Scratch(kSize, hw, outC);
    }

    @Override
    long macs() {
        return (long) outC * kSize * hw;
    }

    @Override
    void forward(float[] params, float[] x, float[] y, Object scratch) {
        Scratch s = (Scratch) scratch;
        im2col(x, s.col);
        int bOff = paramOffset + weightCount();
        for (int o = 0; o < outC; o++) {
            Arrays.fill(y, o * hw, (o + 1) * hw, params[bOff + o]);
        }
        MatrixKernel.multiplyAdd(params, paramOffset, s.col, 0, y, 0, outC, kSize, hw);
    }

    @Override
    void backward(float[] params, float[] x, float[] y, float[] dy, float[] dx, float[] grad, Object scratch) {
        Scratch s = (Scratch) scratch;
        // s.col still holds im2col(x) from the forward call of this image.
        MatrixKernel.transpose(s.col, 0, kSize, hw, s.colT, 0);
        MatrixKernel.multiplyAdd(dy, 0, s.colT, 0, grad, paramOffset, outC, hw, kSize);
        int bOff = paramOffset + weightCount();
        for (int o = 0; o < outC; o++) {
            float sum = 0f;
            for (int p = o * hw, end = p + hw; p < end; p++) {
                sum += dy[p];
            }
            grad[bOff + o] += sum;
        }
        if (dx != null) {
            MatrixKernel.transpose(params, paramOffset, outC, kSize, s.weightT, 0);
            Arrays.fill(s.dCol, 0f);
            MatrixKernel.multiplyAdd(s.weightT, 0, dy, 0, s.dCol, 0, kSize, outC, hw);
            col2im(s.dCol, dx);
        }
    }

    private void im2col(float[] x, float[] col) {
        for (int c = 0; c < inC; c++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = ((c * k + ky) * k + kx) * hw;
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * stride - pad + ky;
                        int dst = row + oy * outW;
                        if (iy < 0 || iy >= inH) {
                            Arrays.fill(col, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = (c * inH + iy) * inW;
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * stride - pad + kx;
                            col[dst + ox] = (ix >= 0 && ix < inW) ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    private void col2im(float[] dCol, float[] dx) {
        Arrays.fill(dx, 0, inSize, 0f);
        for (int c = 0; c < inC; c++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = ((c * k + ky) * k + kx) * hw;
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= inH) {
                            continue;
                        }
                        int src = row + oy * outW;
                        int dst = (c * inH + iy) * inW;
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * stride - pad + kx;
                            if (ix >= 0 && ix < inW) {
                                dx[dst + ix] += dCol[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
