package dev.retina.engine.op;

import dev.retina.engine.kernel.Activation;

/** ONNX LeakyRelu: {@code y = x >= 0 ? x : alpha * x}, attribute alpha (default 0.01). */
public final class LeakyRelu extends ActivationOp {

    public LeakyRelu(OpContext ctx) {
        super(ctx, Activation.leakyRelu(alpha(ctx)));
    }

    private static float alpha(OpContext ctx) {
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes("alpha");
        return ctx.attrFloat("alpha", 0.01f);
    }
}
