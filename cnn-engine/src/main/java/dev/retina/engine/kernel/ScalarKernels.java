package dev.retina.engine.kernel;

/**
 * The reference kernels: plain loops written to be read and checked by hand, and the oracle for the
 * fast kernels. Work is split only over independent outputs (conv output planes, GEMM rows, pooling
 * planes, elements), so every value is computed exactly as on one thread.
 */
public class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public ConvWeights prepareConv(float[] weights, float[] bias, int outChannels, int inPerGroup,
                                   int kernelH, int kernelW, int group) {
        return new ConvWeights(weights, bias, outChannels, inPerGroup, kernelH, kernelW, group, null);
    }

    @Override
    public void conv2d(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                       ComputeContext ctx) {
        // Output planes (n, o) are independent; each is computed exactly as on one thread.
        ctx.parallelFor(batch * g.outChannels(), (chunk, from, to) -> {
            for (int plane = from; plane < to; plane++) {
                convPlane(g, w, act, in, out, plane / g.outChannels(), plane % g.outChannels());
            }
        });
    }

    /** One output plane: {@code out[n, o, :, :]}. */
    private static void convPlane(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int n,
                                  int o) {
        int inPlane = g.inH() * g.inW();
        int icg = g.inPerGroup();
        int kSize = g.kernelH() * g.kernelW();
        int firstIn = (o / g.outPerGroup()) * icg;
        for (int oh = 0; oh < g.outH(); oh++) {
            for (int ow = 0; ow < g.outW(); ow++) {
                float acc = 0f;
                for (int ic = 0; ic < icg; ic++) {
                    int inBase = (n * g.inChannels() + firstIn + ic) * inPlane;
                    int wBase = (o * icg + ic) * kSize;
                    for (int kh = 0; kh < g.kernelH(); kh++) {
                        int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                        if (ih < 0 || ih >= g.inH()) {
                            continue;
                        }
                        for (int kw = 0; kw < g.kernelW(); kw++) {
                            int iw = ow * g.strideW() - g.padLeft() + kw * g.dilationW();
                            if (iw >= 0 && iw < g.inW()) {
                                acc += in[inBase + ih * g.inW() + iw] * w.weights()[wBase + kh * g.kernelW() + kw];
                            }
                        }
                    }
                }
                if (w.bias() != null) {
                    acc += w.bias()[o];
                }
                out[g.outOffset(n, o) + oh * g.outW() + ow] = act.apply(acc);
            }
        }
    }

    @Override
    public PackedMatrix packMatrix(float[] a, int off, int rows, int cols, int rowStride, int colStride) {
        float[] copy = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < cols; k++) {
                copy[i * cols + k] = a[off + i * rowStride + k * colStride];
            }
        }
        return new PackedMatrix(rows, cols, copy, null, 0);
    }

    @Override
    public void gemm(PackedMatrix a, float[] b, int bOff, int bRowStride, int bColStride, int n,
                     float[] c, int cOff, int cRowStride, int cColStride, GemmEpilogue epilogue,
                     ComputeContext ctx) {
        float[] am = requireRowMajor(a);
        int k = a.cols();
        ctx.parallelFor(a.rows(), (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) {
                    float acc = 0f;
                    for (int p = 0; p < k; p++) {
                        acc += am[i * k + p] * b[bOff + p * bRowStride + j * bColStride];
                    }
                    int ci = cOff + i * cRowStride + j * cColStride;
                    c[ci] = epilogue.finish(i, acc, c[ci]);
                }
            }
        });
    }

    private static float[] requireRowMajor(PackedMatrix a) {
        if (a.rowMajor() == null) {
            throw new IllegalStateException("matrix was packed for another kernel set");
        }
        return a.rowMajor();
    }

    @Override
    public void matmul(float[] a, int aOff, int aRowStride, int aColStride, float[] b, int bOff,
                       int bRowStride, int bColStride, float[] c, int cOff, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc += a[aOff + i * aRowStride + p * aColStride] * b[bOff + p * bRowStride + j * bColStride];
                }
                c[cOff + i * n + j] = acc;
            }
        }
    }

    @Override
    public void maxPool2d(PoolGeometry g, float[] in, float[] out, int planes, ComputeContext ctx) {
        ctx.parallelFor(planes, (chunk, from, to) -> {
            for (int p = from; p < to; p++) {
                maxPoolPlane(g, in, p * g.inH() * g.inW(), out, p * g.outH() * g.outW());
            }
        });
    }

    private static void maxPoolPlane(PoolGeometry g, float[] in, int inOff, float[] out, int outOff) {
        for (int oh = 0; oh < g.outH(); oh++) {
            for (int ow = 0; ow < g.outW(); ow++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int kh = 0; kh < g.kernelH(); kh++) {
                    int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                    if (ih < 0 || ih >= g.inH()) {
                        continue;
                    }
                    for (int kw = 0; kw < g.kernelW(); kw++) {
                        int iw = ow * g.strideW() - g.padLeft() + kw * g.dilationW();
                        if (iw >= 0 && iw < g.inW()) {
                            float v = in[inOff + ih * g.inW() + iw];
                            if (v > max || Float.isNaN(v)) {
                                max = v;
                            }
                        }
                    }
                }
                out[outOff + oh * g.outW() + ow] = max;
            }
        }
    }

    @Override
    public void averagePool2d(PoolGeometry g, boolean countIncludePad, float[] in, float[] out, int planes,
                              ComputeContext ctx) {
        ctx.parallelFor(planes, (chunk, from, to) -> {
            for (int p = from; p < to; p++) {
                averagePoolPlane(g, countIncludePad, in, p * g.inH() * g.inW(), out, p * g.outH() * g.outW());
            }
        });
    }

    private static void averagePoolPlane(PoolGeometry g, boolean countIncludePad, float[] in, int inOff,
                                         float[] out, int outOff) {
        for (int oh = 0; oh < g.outH(); oh++) {
            int hStart = oh * g.strideH() - g.padTop();
            // With count_include_pad the divisor counts the padded area, but not the part of a
            // ceil-mode window that hangs past the end padding (ONNX Runtime's rule).
            int hEndPadded = Math.min(hStart + (g.kernelH() - 1) * g.dilationH() + 1, g.inH() + g.padBottom());
            for (int ow = 0; ow < g.outW(); ow++) {
                int wStart = ow * g.strideW() - g.padLeft();
                int wEndPadded = Math.min(wStart + (g.kernelW() - 1) * g.dilationW() + 1, g.inW() + g.padRight());
                float sum = 0f;
                int inside = 0;
                for (int kh = 0; kh < g.kernelH(); kh++) {
                    int ih = hStart + kh * g.dilationH();
                    if (ih < 0 || ih >= g.inH()) {
                        continue;
                    }
                    for (int kw = 0; kw < g.kernelW(); kw++) {
                        int iw = wStart + kw * g.dilationW();
                        if (iw >= 0 && iw < g.inW()) {
                            sum += in[inOff + ih * g.inW() + iw];
                            inside++;
                        }
                    }
                }
                int count;
                if (countIncludePad) {
                    int rows = ceilDiv(hEndPadded - hStart, g.dilationH());
                    int cols = ceilDiv(wEndPadded - wStart, g.dilationW());
                    count = rows * cols;
                } else {
                    count = inside;
                }
                out[outOff + oh * g.outW() + ow] = count == 0 ? 0f : sum / count;
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public void globalPool(boolean max, float[] in, float[] out, int planes, int spatial, ComputeContext ctx) {
        ctx.parallelFor(planes, (chunk, from, to) -> {
            for (int p = from; p < to; p++) {
                int base = p * spatial;
                if (max) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int s = 0; s < spatial; s++) {
                        float v = in[base + s];
                        if (v > m || Float.isNaN(v)) {
                            m = v;
                        }
                    }
                    out[p] = m;
                } else {
                    float sum = 0f;
                    for (int s = 0; s < spatial; s++) {
                        sum += in[base + s];
                    }
                    out[p] = sum / spatial;
                }
            }
        });
    }

    @Override
    public void channelAffine(float[] in, float[] out, int batch, int channels, int spatial, float[] scale,
                              float[] shift, Activation act, ComputeContext ctx) {
        ctx.parallelFor(batch * channels, (chunk, from, to) -> {
            for (int p = from; p < to; p++) {
                int c = p % channels;
                float s = scale[c];
                float t = shift[c];
                int base = p * spatial;
                for (int i = base; i < base + spatial; i++) {
                    out[i] = act.apply(in[i] * s + t);
                }
            }
        });
    }

    @Override
    public void activation(Activation act, float[] in, float[] out, int length, ComputeContext ctx) {
        ctx.parallelFor(length, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = act.apply(in[i]);
            }
        });
    }

    @Override
    public void binary(BinaryOp op, Broadcast plan, float[] a, float[] b, float[] out, ComputeContext ctx) {
        int rank = plan.outDims().length;
        if (rank == 0) {
            out[0] = op.apply(a[0], b[0]);
            return;
        }
        int inner = plan.outDims()[rank - 1];
        int rows = inner == 0 ? 0 : plan.outSize() / inner;
        ctx.parallelFor(rows, (chunk, from, to) -> {
            int[] idx = new int[rank];
            for (int row = from; row < to; row++) {
                // Decompose the row number into the outer output coordinates.
                int rem = row;
                int aBase = 0;
                int bBase = 0;
                for (int d = rank - 2; d >= 0; d--) {
                    idx[d] = rem % plan.outDims()[d];
                    rem /= plan.outDims()[d];
                    aBase += idx[d] * plan.aStrides()[d];
                    bBase += idx[d] * plan.bStrides()[d];
                }
                int as = plan.aStrides()[rank - 1];
                int bs = plan.bStrides()[rank - 1];
                int o = row * inner;
                for (int j = 0; j < inner; j++) {
                    out[o + j] = op.apply(a[aBase + j * as], b[bBase + j * bs]);
                }
            }
        });
    }

    @Override
    public void softmax(float[] in, float[] out, int outer, int axis, int inner, ComputeContext ctx) {
        ctx.parallelFor(outer * inner, (chunk, from, to) -> {
            for (int r = from; r < to; r++) {
                int base = (r / inner) * axis * inner + r % inner;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < axis; i++) {
                    max = Math.max(max, in[base + i * inner]);
                }
                float sum = 0f;
                for (int i = 0; i < axis; i++) {
                    float e = (float) Math.exp(in[base + i * inner] - max);
                    out[base + i * inner] = e;
                    sum += e;
                }
                for (int i = 0; i < axis; i++) {
                    out[base + i * inner] /= sum;
                }
            }
        });
    }

    @Override
    public void transpose(float[] in, float[] out, int[] inDims, int[] perm) {
        int rank = inDims.length;
        int[] inStrides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--) {
            inStrides[d] = stride;
            stride *= inDims[d];
        }
        int total = stride;
        int[] outDims = new int[rank];
        int[] srcStride = new int[rank];
        for (int d = 0; d < rank; d++) {
            outDims[d] = inDims[perm[d]];
            srcStride[d] = inStrides[perm[d]];
        }
        int[] idx = new int[rank];
        int src = 0;
        for (int o = 0; o < total; o++) {
            out[o] = in[src];
            // Odometer increment over the output coordinates, tracking the source offset.
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                src += srcStride[d];
                if (idx[d] < outDims[d]) {
                    break;
                }
                src -= srcStride[d] * outDims[d];
                idx[d] = 0;
            }
        }
    }
}
