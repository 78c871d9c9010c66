package dev.retina.engine.op;

import dev.retina.engine.kernel.BinaryOp;

/** ONNX Mul: {@code C = A * B}, numpy broadcasting. */
public final class Mul extends ElementwiseBinary {

    public Mul(OpContext ctx) {
        super(ctx, BinaryOp.MUL);
    }
}
