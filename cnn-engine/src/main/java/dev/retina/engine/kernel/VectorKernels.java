package dev.retina.engine.kernel;

/**
 * Kernels on the Vector API ({@code jdk.incubator.vector}): convolution and GEMM on the
 * {@link VectorGemm} micro-kernel ({@value VectorGemm#MR} rows x two vectors, fused multiply-add,
 * weights packed once at load time, bias and activation fused in the epilogue), a vectorised direct
 * depthwise convolution ({@link VectorDepthwise}), separable max pooling ({@link VectorPool}) and
 * elementwise arithmetic, activations and global average pooling ({@link VectorElementwise}).
 * Weight preparation is inherited: it packs through {@link #packMatrix}, so conv weights get this
 * class's panel layout. Everything else is inherited from {@link FastKernels} and {@link ScalarKernels}.
 *
 * <p>Fused multiply-add rounds once where the reference rounds twice, so results differ from
 * {@link ScalarKernels} by float rounding only; they never depend on the thread count.
 *
 * <p>Only instantiate this class when the module {@code jdk.incubator.vector} is in the boot layer
 * ({@link KernelProvider} checks); otherwise its first use fails with {@link NoClassDefFoundError}.
 */
public class VectorKernels extends FastKernels {

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void conv2d(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                       ComputeContext ctx) {
        if (w.packedPerGroup() == null) {
            VectorDepthwise.run(g, w, act, in, out, batch, ctx);
        } else {
            VectorConv.run(g, w, act, in, out, batch, ctx);
        }
    }

    @Override
    public void conv2dResidual(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] residual,
                               float[] out, int batch, ComputeContext ctx) {
        if (w.packedPerGroup() == null) {
            super.conv2dResidual(g, w, act, in, residual, out, batch, ctx);
        } else {
            Kernels.requireWhole(g);
            VectorConv.run(g, w, act, in, residual, out, batch, ctx);
        }
    }

    @Override
    public PackedMatrix packMatrix(float[] a, int off, int rows, int cols, int rowStride, int colStride) {
        return VectorGemm.pack(a, off, rows, cols, rowStride, colStride);
    }

    @Override
    public void gemm(PackedMatrix a, float[] b, int bOff, int bRowStride, int bColStride, int n,
                     float[] c, int cOff, int cRowStride, int cColStride, GemmEpilogue epilogue,
                     ComputeContext ctx) {
        VectorGemm.multiply(a, b, bOff, bRowStride, bColStride, n, c, cOff, cRowStride, cColStride, epilogue, ctx);
    }

    @Override
    public void maxPool2d(PoolGeometry g, float[] in, float[] out, int planes, ComputeContext ctx) {
        VectorPool.maxPool2d(g, in, out, planes, ctx);
    }

    @Override
    public void globalPool(boolean max, float[] in, float[] out, int planes, int spatial, ComputeContext ctx) {
        if (max) {
            super.globalPool(true, in, out, planes, spatial, ctx);
        } else {
            VectorElementwise.globalAveragePool(in, out, planes, spatial, ctx);
        }
    }

    @Override
    public void activation(Activation act, float[] in, float[] out, int length, ComputeContext ctx) {
        VectorElementwise.activation(act, in, out, length, ctx);
    }

    @Override
    public void binary(BinaryOp op, Broadcast plan, float[] a, float[] b, float[] out, ComputeContext ctx) {
        VectorElementwise.binary(op, plan, a, b, out, ctx);
    }
}
