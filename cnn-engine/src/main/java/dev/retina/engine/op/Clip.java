package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.Activation;
import dev.retina.engine.tensor.Tensor;

/**
 * ONNX Clip: {@code y = min(max(x, min), max)}. Before opset 11 the bounds are attributes {@code min}
 * and {@code max}; from opset 11 they are optional scalar inputs 1 and 2, which must be constants.
 * Absent bounds are unbounded. ReLU6 is Clip(0, 6).
 */
public final class Clip extends ActivationOp {

    public Clip(OpContext ctx) {
        super(ctx, bounds(ctx));
    }

    private static Activation bounds(OpContext ctx) {
        float min;
        float max;
        if (ctx.opset() < 11) {
            ctx.requireArity(1, 1, 1);
            ctx.allowAttributes("min", "max");
            min = ctx.attrFloat("min", -Float.MAX_VALUE);
            max = ctx.attrFloat("max", Float.MAX_VALUE);
        } else {
            ctx.requireArity(1, 3, 1);
            ctx.allowAttributes();
            min = ctx.hasInput(1) ? scalar(ctx, 1, "min") : Float.NEGATIVE_INFINITY;
            max = ctx.hasInput(2) ? scalar(ctx, 2, "max") : Float.POSITIVE_INFINITY;
        }
        return Activation.clip(min, max);
    }

    private static float scalar(OpContext ctx, int i, String role) {
        Tensor t = ctx.floatConstant(i, role);
        if (t.shape().size() != 1) {
            throw ctx.error(Reason.SHAPE_MISMATCH, role + " expected a scalar, found shape " + t.shape());
        }
        return t.data()[0];
    }
}
