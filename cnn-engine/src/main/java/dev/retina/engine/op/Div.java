package dev.retina.engine.op;

import dev.retina.engine.kernel.BinaryOp;

/** ONNX Div: {@code C = A / B}, numpy broadcasting. */
public final class Div extends ElementwiseBinary {

    public Div(OpContext ctx) {
        super(ctx, BinaryOp.DIV);
    }
}
