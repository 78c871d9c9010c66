package dev.retina.engine.op;

import dev.retina.engine.kernel.Activation;

/** ONNX Relu: {@code y = max(x, 0)}. No attributes. */
public final class Relu extends ActivationOp {

    public Relu(OpContext ctx) {
        super(checked(ctx), Activation.RELU);
    }

    private static OpContext checked(OpContext ctx) {
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes();
        return ctx;
    }
}
