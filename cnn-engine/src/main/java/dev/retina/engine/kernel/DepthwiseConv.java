package dev.retina.engine.kernel;

/**
 * Direct depthwise convolution (one input and one output channel per group): each output plane is
 * its input plane correlated with a kernelH x kernelW filter. Planes are independent, so the work is
 * split over {@code batch * channels} planes. Taps are summed in the same (kh, kw) order as the
 * reference, skipping padding.
 */
final class DepthwiseConv {

    private DepthwiseConv() {
    }

    static void run(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                    ComputeContext ctx) {
        int channels = g.outChannels();
        int inPlane = g.inH() * g.inW();
        int kArea = g.kernelH() * g.kernelW();
        float[] weights = w.weights();
        float[] bias = w.bias();
        ctx.parallelFor(batch * channels, (chunk, from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int c = plane % channels;
                int inOff = plane * inPlane;
                int outOff = g.outOffset(plane / channels, c);
                int wOff = c * kArea;
                float b = bias == null ? 0f : bias[c];
                for (int oh = 0; oh < g.outH(); oh++) {
                    int ihBase = oh * g.strideH() - g.padTop();
                    for (int ow = 0; ow < g.outW(); ow++) {
                        int iwBase = ow * g.strideW() - g.padLeft();
                        float acc = 0f;
                        for (int kh = 0; kh < g.kernelH(); kh++) {
                            int ih = ihBase + kh * g.dilationH();
                            if (ih < 0 || ih >= g.inH()) {
                                continue;
                            }
                            int row = inOff + ih * g.inW();
                            int wRow = wOff + kh * g.kernelW();
                            for (int kw = 0; kw < g.kernelW(); kw++) {
                                int iw = iwBase + kw * g.dilationW();
                                if (iw >= 0 && iw < g.inW()) {
                                    acc += in[row + iw] * weights[wRow + kw];
                                }
                            }
                        }
                        out[outOff + oh * g.outW() + ow] = act.apply(acc + b);
                    }
                }
            }
        });
    }
}
