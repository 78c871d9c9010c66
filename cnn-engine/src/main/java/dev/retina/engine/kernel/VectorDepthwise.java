package dev.retina.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Direct depthwise convolution on the Vector API (one input and one output channel per group).
 *
 * <p>Each input plane is first copied into a per-chunk buffer with its columns zero-padded and split
 * into {@code strideW} phases ({@code phase r} holds padded columns {@code r, r + strideW, ...}), so
 * that for every tap the inputs of consecutive output columns are consecutive floats, whatever the
 * stride. Output columns are then computed a vector at a time, the sum kept in a register: per
 * valid input row and tap, one load and one fused multiply-add with the broadcast weight; the sums go
 * to a row buffer. Taps are added in the
 * reference's (kh, kw) order; rows outside the input are skipped as in the reference, padded columns
 * add zero. Bias and activation are applied when the row is written. Planes are independent, so the
 * work is split over {@code batch * channels} planes and a result never depends on the thread count.
 */
final class VectorDepthwise {

    private static final int L = VectorGemm.L;

    private VectorDepthwise() {
    }

    /** Floats per phase row of the padded buffer. */
    private static int phaseWidth(ConvGeometry g) {
        int outVec = (g.outW() + L - 1) / L * L;
        int needed = (outVec - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW() + 1;
        return (needed + g.strideW() - 1) / g.strideW() + 1;
    }

    static void run(ConvGeometry g, ConvWeights w, Activation act, float[] in, float[] out, int batch,
                    ComputeContext ctx) {
        int channels = g.outChannels();
        int phaseWidth = phaseWidth(g);
        int padded = g.inH() * g.strideW() * phaseWidth;
        int rowFloats = (g.outW() + L - 1) / L * L;
        VectorGemm.forTasks(ctx, batch * channels, g.macs() * batch, (chunk, from, to) -> {
            float[] scratch = ctx.scratch(chunk, padded + rowFloats);
            for (int plane = from; plane < to; plane++) {
                pad(g, in, plane * g.inH() * g.inW(), scratch, phaseWidth);
                plane(g, w, act, scratch, phaseWidth, padded, out, plane, plane % channels);
            }
        });
    }

    /** Copies one input plane: padded column i of row ih goes to {@code buf[(ih * sW + i % sW) * pw + i / sW]}. */
    private static void pad(ConvGeometry g, float[] in, int inOff, float[] buf, int pw) {
        int inW = g.inW();
        int sW = g.strideW();
        int pl = g.padLeft();
        int total = sW * pw;
        for (int ih = 0; ih < g.inH(); ih++) {
            int src = inOff + ih * inW;
            int dst = ih * total;
            if (sW == 1) {
                int lead = Math.min(pl, pw);
                Arrays.fill(buf, dst, dst + lead, 0f);
                int copy = Math.max(0, Math.min(inW, pw - pl));
                System.arraycopy(in, src, buf, dst + lead, copy);
                Arrays.fill(buf, dst + lead + copy, dst + pw, 0f);
            } else {
                for (int r = 0; r < sW; r++) {
                    int d = dst + r * pw;
                    for (int idx = 0; idx < pw; idx++) {
                        int x = idx * sW + r - pl;
                        buf[d + idx] = x >= 0 && x < inW ? in[src + x] : 0f;
                    }
                }
            }
        }
    }

    private static void plane(ConvGeometry g, ConvWeights w, Activation act, float[] buf, int pw, int rowBase,
                              float[] out, int plane, int c) {
        int outW = g.outW();
        int kH = g.kernelH();
        int kW = g.kernelW();
        int sW = g.strideW();
        int outOff = plane * g.outH() * outW;
        int wOff = c * kH * kW;
        float[] weights = w.weights();
        float b = w.bias() == null ? 0f : w.bias()[c];
        int vecEnd = outW / L * L;
        int rowEnd = (outW + L - 1) / L * L;
        boolean vectorAct = VectorGemm.VectorActivation.supports(act);
        int dilationW = g.dilationW();
        for (int oh = 0; oh < g.outH(); oh++) {
            // Valid kernel rows form one range: ih = oh * strideH - padTop + kh * dilationH within [0, inH).
            int ih0 = oh * g.strideH() - g.padTop();
            int khLo = 0;
            while (khLo < kH && ih0 + khLo * g.dilationH() < 0) {
                khLo++;
            }
            int khHi = khLo;
            while (khHi < kH && ih0 + khHi * g.dilationH() < g.inH()) {
                khHi++;
            }
            int taps = (khHi - khLo) * kW;
            int rowStep = g.dilationH() * sW * pw;
            int firstRow = (ih0 + khLo * g.dilationH()) * sW * pw;
            int wFirst = wOff + khLo * kW;
            for (int ow = 0; ow < rowEnd; ow += L) {
                tapSum(buf, firstRow + ow, weights, wFirst, taps, kW, dilationW, sW, pw, rowStep, rowBase + ow);
            }
            writeRow(buf, rowBase, b, act, vectorAct, out, outOff + oh * outW, outW, vecEnd);
        }
    }

    /**
     * One vector of output columns: the sum over {@code taps} taps (kernel rows of kW taps each,
     * {@code rowStep} apart in the buffer) in one flat loop, so the sum stays a register (C2 boxes
     * vectors carried around nested loops); stored at {@code buf[dst..]}.
     */
    private static void tapSum(float[] buf, int first, float[] weights, int wFirst, int taps, int kW, int dilationW,
                               int sW, int pw, int rowStep, int dst) {
        FloatVector acc = FloatVector.zero(VectorGemm.SPECIES);
        int rowStart = first;
        int kw = 0;
        int wi = wFirst;
        if (sW == 1 && kW == 3) {
            // The common 3-wide kernel: one loop over kernel rows, three taps each.
            int d2 = 2 * dilationW;
            for (int t = 0; t < taps; t += 3, wi += 3, rowStart += rowStep) {
                acc = FloatVector.fromArray(VectorGemm.SPECIES, buf, rowStart)
                        .fma(FloatVector.broadcast(VectorGemm.SPECIES, weights[wi]), acc);
                acc = FloatVector.fromArray(VectorGemm.SPECIES, buf, rowStart + dilationW)
                        .fma(FloatVector.broadcast(VectorGemm.SPECIES, weights[wi + 1]), acc);
                acc = FloatVector.fromArray(VectorGemm.SPECIES, buf, rowStart + d2)
                        .fma(FloatVector.broadcast(VectorGemm.SPECIES, weights[wi + 2]), acc);
            }
        } else if (sW == 1) {
            for (int t = 0; t < taps; t++, wi++) {
                FloatVector x = FloatVector.fromArray(VectorGemm.SPECIES, buf, rowStart + kw * dilationW);
                acc = x.fma(FloatVector.broadcast(VectorGemm.SPECIES, weights[wi]), acc);
                if (++kw == kW) {
                    kw = 0;
                    rowStart += rowStep;
                }
            }
        } else {
            for (int t = 0; t < taps; t++, wi++) {
                int tap = kw * dilationW;
                FloatVector x = FloatVector.fromArray(VectorGemm.SPECIES, buf, rowStart + (tap % sW) * pw + tap / sW);
                acc = x.fma(FloatVector.broadcast(VectorGemm.SPECIES, weights[wi]), acc);
                if (++kw == kW) {
                    kw = 0;
                    rowStart += rowStep;
                }
            }
        }
        acc.intoArray(buf, dst);
    }

    /** {@code out[outRow + ow] = act(buf[rowBase + ow] + b)} for {@code ow < outW}. */
    private static void writeRow(float[] buf, int rowBase, float b, Activation act, boolean vectorAct, float[] out,
                                 int outRow, int outW, int vecEnd) {
        int ow = 0;
        if (vectorAct) {
            for (; ow < vecEnd; ow += L) {
                FloatVector v = FloatVector.fromArray(VectorGemm.SPECIES, buf, rowBase + ow).add(b);
                VectorGemm.VectorActivation.apply(act, v).intoArray(out, outRow + ow);
            }
        }
        for (; ow < outW; ow++) {
            out[outRow + ow] = act.apply(buf[rowBase + ow] + b);
        }
    }
}
