package dev.retina.engine.op;

import dev.retina.engine.kernel.Activation;

/** ONNX Sigmoid: {@code y = 1 / (1 + exp(-x))}. No attributes. */
public final class Sigmoid extends ActivationOp {

    public Sigmoid(OpContext ctx) {
        super(checked(ctx), Activation.SIGMOID);
    }

    private static OpContext checked(OpContext ctx) {
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes();
        return ctx;
    }
}
