package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;

/**
 * The sliding-window attributes shared by Conv and the pools, resolved for a 2-D input of
 * {@code inH x inW}: kernel, strides and dilations (default 1), and explicit pads
 * {@code [top, left, bottom, right]} (ONNX order: all begins, then all ends; default 0).
 * {@code auto_pad} SAME_UPPER/SAME_LOWER pads so that {@code out = ceil(in / stride)}, the odd
 * padding going to the end (UPPER) or the beginning (LOWER); VALID means no padding.
 */
record Window2d(int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW,
                int padTop, int padLeft, int padBottom, int padRight) {

    static Window2d resolve(OpContext ctx, int[] kernel, int inH, int inW) {
        int[] strides = ctx.attrInts("strides", new int[] {1, 1});
        int[] dilations = ctx.attrInts("dilations", new int[] {1, 1});
        int[] pads = ctx.attrInts("pads", new int[] {0, 0, 0, 0});
        String autoPad = ctx.attrString("auto_pad", "NOTSET");
        check(ctx, "kernel_shape", kernel, 2, 1);
        check(ctx, "strides", strides, 2, 1);
        check(ctx, "dilations", dilations, 2, 1);
        check(ctx, "pads", pads, 4, 0);
        switch (autoPad) {
            case "NOTSET":
                break;
            case "VALID":
                pads = new int[4];
                break;
            case "SAME_UPPER":
            case "SAME_LOWER":
                pads = new int[4];
                int[] in = {inH, inW};
                for (int d = 0; d < 2; d++) {
                    int out = (in[d] + strides[d] - 1) / strides[d];
                    int total = Math.max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - in[d]);
                    int small = total / 2;
                    pads[d] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    pads[d + 2] = total - pads[d];
                }
                break;
            default:
                throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, "auto_pad expected NOTSET, SAME_UPPER, SAME_LOWER"
                        + " or VALID, found '" + autoPad + "'");
        }
        return new Window2d(kernel[0], kernel[1], strides[0], strides[1], dilations[0], dilations[1],
                pads[0], pads[1], pads[2], pads[3]);
    }

    private static void check(OpContext ctx, String name, int[] values, int length, int min) {
        if (values.length != length) {
            throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, name + " expected " + length
                    + " values (2-D spatial input), found " + values.length);
        }
        for (int v : values) {
            if (v < min) {
                throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, name + " values expected >= " + min + ", found " + v);
            }
        }
    }
}
