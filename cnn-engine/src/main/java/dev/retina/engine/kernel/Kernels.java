package dev.retina.engine.kernel;

/**
 * The arithmetic of every operator. {@link ScalarKernels} is the readable reference; faster
 * implementations must give the same results within float rounding and are tested against it.
 *
 * <p>Layouts: activations NCHW row-major, conv weights OIHW, matrices addressed by explicit
 * (row stride, column stride) so transposed views cost nothing. Every method writes only the output
 * elements it is asked for; output arrays may be longer than needed (reused buffers).
 */
public interface Kernels {

    /** Short name for logs ("scalar", "fast"). */
    String name();

    /**
     * Prepares constant conv weights (OIHW) and optional bias once, at load time.
     */
    ConvWeights prepareConv(float[] weights, float[] bias, int outChannels, int inPerGroup,
                            int kernelH, int kernelW, int group);

    /**
     * {@code out[n, o, :, :] = act(bias[o] + sum over the group's input channels and kernel taps)}
     * for {@code batch} images; into a channel slice of a larger output when the geometry says so
     * ({@link ConvGeometry#withOutputSlice}), writing nothing outside it.
     */
    void conv2d(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                ComputeContext ctx);

    /**
     * {@code out = act(conv2d(in) + residual)}: a convolution whose result is added to {@code residual}
     * (a tensor of the output's shape, {@code [batch, outChannels, outH, outW]}, not aliasing
     * {@code out}) before the activation, as a residual block's Add followed by its Relu. This default
     * computes exactly that in two passes; GEMM-based kernels add the residual in their epilogue. The
     * output is a tensor of its own, not a slice.
     */
    default void conv2dResidual(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] residual,
                                float[] out, int batch, ComputeContext ctx) {
        requireWhole(g);
        conv2d(g, w, Activation.NONE, in, out, batch, ctx);
        int length = batch * g.outChannels() * g.outH() * g.outW();
        for (int i = 0; i < length; i++) {
            out[i] = act.apply(out[i] + residual[i]);
        }
    }

    /** Prepares a constant M x K left operand; element (i, k) is {@code a[off + i * rowStride + k * colStride]}. */
    PackedMatrix packMatrix(float[] a, int off, int rows, int cols, int rowStride, int colStride);

    /**
     * {@code C = epilogue(A * B)} with A the packed M x K matrix, B a K x {@code n} strided view and C
     * an M x {@code n} strided view.
     */
    void gemm(PackedMatrix a, float[] b, int bOff, int bRowStride, int bColStride, int n,
              float[] c, int cOff, int cRowStride, int cColStride, GemmEpilogue epilogue, ComputeContext ctx);

    /**
     * {@code C = A * B} for runtime (unpacked) strided operands: A is {@code m x k}, B {@code k x n},
     * C {@code m x n} row-major at {@code cOff}.
     */
    void matmul(float[] a, int aOff, int aRowStride, int aColStride, float[] b, int bOff, int bRowStride,
                int bColStride, float[] c, int cOff, int m, int n, int k);

    /** Max pooling of {@code planes} NCHW planes. */
    void maxPool2d(PoolGeometry g, float[] in, float[] out, int planes, ComputeContext ctx);

    /** Average pooling; without {@code countIncludePad} only input elements are counted. */
    void averagePool2d(PoolGeometry g, boolean countIncludePad, float[] in, float[] out, int planes,
                       ComputeContext ctx);

    /** {@code out[p] = mean (or max) of in[p * spatial, (p + 1) * spatial)} for each plane p. */
    void globalPool(boolean max, float[] in, float[] out, int planes, int spatial, ComputeContext ctx);

    /** {@code out[n, c, s] = act(in[n, c, s] * scale[c] + shift[c])} (inference BatchNormalization). */
    void channelAffine(float[] in, float[] out, int batch, int channels, int spatial, float[] scale,
                       float[] shift, Activation act, ComputeContext ctx);

    /** {@code out[i] = act(in[i])} for {@code i < length}. */
    void activation(Activation act, float[] in, float[] out, int length, ComputeContext ctx);

    /** {@code out = a op b} with numpy broadcasting. */
    void binary(BinaryOp op, Broadcast plan, float[] a, float[] b, float[] out, ComputeContext ctx);

    /** Softmax over the middle axis of an {@code outer x axis x inner} view. */
    void softmax(float[] in, float[] out, int outer, int axis, int inner, ComputeContext ctx);

    /** Permutes axes: output axis i is input axis {@code perm[i]}. */
    void transpose(float[] in, float[] out, int[] inDims, int[] perm);

    /** Refuses a convolution into a channel slice where only a whole output is supported (residual sums). */
    static void requireWhole(ConvGeometry g) {
        if (g.isSliced()) {
            throw new IllegalArgumentException("a residual convolution expected a whole output, found a slice of"
                    + " channels from " + g.outChannelOffset() + " of " + g.outImageChannels());
        }
    }
}
