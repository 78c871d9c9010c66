package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.ComputeContext;

/**
 * ONNX AveragePool (2-D): attributes auto_pad, ceil_mode, count_include_pad (default 0: divide by the
 * number of input elements in the window; 1: also count padding), kernel_shape, pads, strides.
 */
public final class AveragePool extends PoolOp {

    private final boolean countIncludePad;

    public AveragePool(OpContext ctx) {
        super(checked(ctx));
        long v = ctx.attrLong("count_include_pad", 0);
        if (v != 0 && v != 1) {
            throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, "count_include_pad expected 0 or 1, found " + v);
        }
        this.countIncludePad = v == 1;
    }

    private static OpContext checked(OpContext ctx) {
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes("auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides");
        return ctx;
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        ctx.kernels().averagePool2d(geometry, countIncludePad, inputs[0], outputs[0], planes, cc);
    }
}
