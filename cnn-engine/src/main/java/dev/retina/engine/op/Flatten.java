package dev.retina.engine.op;

import dev.retina.engine.tensor.Shape;

/**
 * ONNX Flatten: {@code [d0, ..., dn]} to {@code [d0 * ... * d(axis-1), d(axis) * ... * dn]};
 * attribute axis (default 1, negative counts from the end, 0 gives {@code [1, size]}).
 */
public final class Flatten extends ReshapeLike {

    public Flatten(OpContext ctx) {
        super(ctx);
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes("axis");
        Shape x = ctx.shape(0);
        long axis = ctx.attrLong("axis", 1);
        int a = axis == x.rank() ? x.rank() : ctx.axis(axis, Math.max(1, x.rank()), "axis");
        resolved(Shape.of((int) x.size(0, a), (int) x.size(a, x.rank())));
    }
}
