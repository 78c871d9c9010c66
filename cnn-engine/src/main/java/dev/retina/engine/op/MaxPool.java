package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.ComputeContext;

/**
 * ONNX MaxPool (2-D): attributes auto_pad, ceil_mode, dilations, kernel_shape, pads, strides,
 * storage_order (only 0, row-major). Padding never wins the max. The optional Indices output is not
 * supported.
 */
public final class MaxPool extends PoolOp {

    public MaxPool(OpContext ctx) {
        super(checked(ctx));
    }

    private static OpContext checked(OpContext ctx) {
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order",
                "strides");
        long order = ctx.attrLong("storage_order", 0);
        if (order != 0) {
            throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, "storage_order expected 0 (row major), found " + order);
        }
        return ctx;
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        ctx.kernels().maxPool2d(geometry, inputs[0], outputs[0], planes, cc);
    }
}
