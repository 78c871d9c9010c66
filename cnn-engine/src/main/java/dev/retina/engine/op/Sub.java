package dev.retina.engine.op;

import dev.retina.engine.kernel.BinaryOp;

/** ONNX Sub: {@code C = A - B}, numpy broadcasting. */
public final class Sub extends ElementwiseBinary {

    public Sub(OpContext ctx) {
        super(ctx, BinaryOp.SUB);
    }
}
