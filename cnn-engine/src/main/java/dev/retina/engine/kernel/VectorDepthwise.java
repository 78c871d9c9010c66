package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Direct depthwise convolution on the Vector API (one input and one output channel per group).
 * For stride-1 rows, the output pixels whose taps all fall inside the input row are computed a
 * vector at a time: per tap, one unaligned load of the input row shifted by the tap's offset and one
 * fused multiply-add with the broadcast weight. Pixels near the borders, and every pixel of strided
 * layers, go through the scalar loop, which sums the same taps in the same (kh, kw) order skipping
 * padding. Planes are independent, so the work is split over {@code batch * channels} planes and a
 * result never depends on the thread count.
 */
final class VectorDepthwise {

    private static final int L = VectorGemm.L;

    private VectorDepthwise() {
    }

    static void run(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                    ComputeContext ctx) {
        int channels = g.outChannels();
        boolean vectorRows = g.strideW() == 1 && VectorGemm.VectorActivation.supports(act);
        VectorGemm.forTasks(ctx, batch * channels, g.macs() * batch, (chunk, from, to) -> {
            for (int plane = from; plane < to; plane++) {
                plane(g, w, act, in, out, plane, plane % channels, vectorRows);
            }
        });
    }

    private static void plane(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int plane,
                              int c, boolean vectorRows) {
        int inW = g.inW();
        int inH = g.inH();
        int outW = g.outW();
        int kH = g.kernelH();
        int kW = g.kernelW();
        int inOff = plane * inH * inW;
        int outOff = plane * g.outH() * outW;
        int wOff = c * kH * kW;
        float[] weights = w.weights();
        float b = w.bias() == null ? 0f : w.bias()[c];
        // Output columns [lo, hi) have every tap inside the row (stride 1): ow - padLeft >= 0 and
        // ow - padLeft + (kW - 1) * dilationW < inW.
        int lo = Math.min(outW, g.padLeft());
        int hi = Math.max(lo, Math.min(outW, inW - (kW - 1) * g.dilationW() + g.padLeft()));
        for (int oh = 0; oh < g.outH(); oh++) {
            int ihBase = oh * g.strideH() - g.padTop();
            int outRow = outOff + oh * outW;
            int ow = 0;
            if (vectorRows) {
                scalarRange(g, weights, wOff, b, act, in, inOff, ihBase, out, outRow, 0, lo);
                int vecEnd = lo + (hi - lo) / L * L;
                vectorRange(g, weights, wOff, b, act, in, inOff, ihBase, out, outRow, lo, vecEnd);
                ow = vecEnd;
            }
            scalarRange(g, weights, wOff, b, act, in, inOff, ihBase, out, outRow, ow, outW);
        }
    }

    /**
     * Output columns {@code [from, to)} of one stride-1 row, {@code to - from} a multiple of L, every tap
     * inside the input row. The row is summed in place, tap by tap, so no vector is carried around a
     * loop (C2 keeps those in registers only when it can prove it, and allocates otherwise).
     */
    private static void vectorRange(ConvGeometry g, float[] weights, int wOff, float b, Activation act, float[] in,
                                    int inOff, int ihBase, float[] out, int outRow, int from, int to) {
        if (from >= to) {
            return;
        }
        Arrays.fill(out, outRow + from, outRow + to, 0f);
        int shift = inOff - g.padLeft();
        for (int kh = 0; kh < g.kernelH(); kh++) {
            int ih = ihBase + kh * g.dilationH();
            if (ih < 0 || ih >= g.inH()) {
                continue;
            }
            int row = shift + ih * g.inW();
            int wRow = wOff + kh * g.kernelW();
            for (int kw = 0; kw < g.kernelW(); kw++) {
                FloatVector wv = FloatVector.broadcast(VectorGemm.SPECIES, weights[wRow + kw]);
                int src = row + kw * g.dilationW();
                for (int ow = from; ow < to; ow += L) {
                    FloatVector x = FloatVector.fromArray(VectorGemm.SPECIES, in, src + ow);
                    x.fma(wv, FloatVector.fromArray(VectorGemm.SPECIES, out, outRow + ow)).intoArray(out, outRow + ow);
                }
            }
        }
        for (int ow = from; ow < to; ow += L) {
            FloatVector v = FloatVector.fromArray(VectorGemm.SPECIES, out, outRow + ow).add(b);
            VectorGemm.VectorActivation.apply(act, v).intoArray(out, outRow + ow);
        }
    }

    /** Output columns {@code [from, to)} of one row, tap by tap, skipping padding. */
    private static void scalarRange(ConvGeometry g, float[] weights, int wOff, float b, Activation act, float[] in,
                                    int inOff, int ihBase, float[] out, int outRow, int from, int to) {
        for (int ow = from; ow < to; ow++) {
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
                        acc = Math.fma(in[row + iw], weights[wRow + kw], acc);
                    }
                }
            }
            out[outRow + ow] = act.apply(acc + b);
        }
    }
}
