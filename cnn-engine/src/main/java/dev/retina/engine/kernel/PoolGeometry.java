package dev.retina.engine.kernel;

/**
 * Geometry of one 2-D pooling over an NCHW input; each of the {@code planes = N * C} planes is pooled
 * on its own. Window {@code (oh, ow)} covers input rows {@code oh * strideH - padTop + i * dilationH}
 * for {@code i < kernelH} (and the same for columns). {@code padBottom}/{@code padRight} bound the
 * padded extent that average pooling with {@code count_include_pad} counts.
 */
public record PoolGeometry(int inH, int inW, int outH, int outW, int kernelH, int kernelW,
                           int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight,
                           int dilationH, int dilationW) {

    /**
     * Output size of one axis (ONNX / ONNX Runtime rule): {@code (in + pads - dilation * (k - 1) - 1)
     * / stride + 1}, rounded down, or up with {@code ceilMode}; in ceil mode a last window that would
     * start beyond the input and its leading padding is dropped.
     */
    public static int outputSize(int in, int kernel, int stride, int padBegin, int padEnd, int dilation,
                                 boolean ceilMode) {
        int span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
        int out = (ceilMode ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceilMode && (out - 1) * stride >= in + padBegin) {
            out--;
        }
        return out;
    }
}
