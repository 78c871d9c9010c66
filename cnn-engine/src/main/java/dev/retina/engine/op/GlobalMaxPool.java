package dev.retina.engine.op;

/** ONNX GlobalMaxPool: the maximum of each {@code [n, c]} plane. */
public final class GlobalMaxPool extends GlobalPoolOp {

    public GlobalMaxPool(OpContext ctx) {
        super(ctx, true);
    }
}
