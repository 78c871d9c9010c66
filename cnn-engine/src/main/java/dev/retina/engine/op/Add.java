package dev.retina.engine.op;

import dev.retina.engine.kernel.BinaryOp;

/** ONNX Add: {@code C = A + B}, numpy broadcasting. */
public final class Add extends ElementwiseBinary {

    public Add(OpContext ctx) {
        super(ctx, BinaryOp.ADD);
    }
}
