package dev.retina.engine.op;

/**
 * ONNX Identity, and Dropout in inference mode: the output is the input. Dropout's attribute ratio,
 * optional inputs ratio and training_mode (must be a constant false) are accepted; its mask output is
 * dropped at load time when nothing reads it, and rejected otherwise.
 */
public final class Identity extends ReshapeLike {

    public Identity(OpContext ctx) {
        super(ctx);
        if (ctx.hasInput(0) && "Dropout".equals(ctx.opType())) {
            if (ctx.outputCount() > 1) {
                throw ctx.error(dev.retina.engine.ModelLoadException.Reason.UNSUPPORTED_ATTRIBUTE,
                        "the mask output is read by the graph; expected it unused (inference mode)");
            }
            ctx.requireArity(1, 3, 1);
            ctx.allowAttributes("ratio", "seed", "is_test");
            if (ctx.hasInput(2)) {
                long[] training = ctx.longConstant(2, "training_mode");
                if (training.length != 1 || training[0] != 0) {
                    throw ctx.error(dev.retina.engine.ModelLoadException.Reason.UNSUPPORTED_ATTRIBUTE,
                            "training_mode expected false (inference), found true");
                }
            }
        } else {
            ctx.requireArity(1, 1, 1);
            ctx.allowAttributes();
        }
        resolved(ctx.shape(0));
    }
}
