package dev.retina.engine.kernel;

/**
 * Blocked kernels in plain Java: convolution as an implicit-im2col GEMM (1x1 convolutions feed the
 * input straight to the GEMM), a direct depthwise convolution, and a packed GEMM whose inner loop is
 * a {@value PackedGemm#MR}x{@value PackedGemm#NR} register-blocked micro-kernel. Weights are packed
 * once at load time. Work is split over batch images, groups, column blocks and row panels; every
 * output element is still one dot product summed in input order, so the thread count never changes a
 * result. The remaining kernels are inherited from {@link ScalarKernels}.
 */
public class FastKernels extends ScalarKernels {

    @Override
    public String name() {
        return "fast";
    }

    @Override
    public ConvWeights prepareConv(float[] weights, float[] bias, int outChannels, int inPerGroup,
                                   int kernelH, int kernelW, int group) {
        int outPerGroup = outChannels / group;
        int k = inPerGroup * kernelH * kernelW;
        PackedMatrix[] packed = null;
        boolean depthwise = inPerGroup == 1 && outPerGroup == 1;
        if (!depthwise) {
            packed = new PackedMatrix[group];
            for (int g = 0; g < group; g++) {
                packed[g] = packMatrix(weights, g * outPerGroup * k, outPerGroup, k, k, 1);
            }
        }
        return new ConvWeights(weights, bias, outChannels, inPerGroup, kernelH, kernelW, group, packed);
    }

    @Override
    public void conv2d(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                       ComputeContext ctx) {
        if (w.packedPerGroup() == null) {
            DepthwiseConv.run(g, w, act, in, out, batch, ctx);
        } else {
            ConvGemm.run(g, w, act, in, out, batch, ctx);
        }
    }

    @Override
    public PackedMatrix packMatrix(float[] a, int off, int rows, int cols, int rowStride, int colStride) {
        return PackedGemm.pack(a, off, rows, cols, rowStride, colStride);
    }

    @Override
    public void gemm(PackedMatrix a, float[] b, int bOff, int bRowStride, int bColStride, int n,
                     float[] c, int cOff, int cRowStride, int cColStride, GemmEpilogue epilogue,
                     ComputeContext ctx) {
        PackedGemm.multiply(a, PackedGemm.matrixSource(b, bOff, bRowStride, bColStride), n,
                c, cOff, cRowStride, cColStride, epilogue, ctx);
    }
}
