package dev.retina.engine.op;

/** ONNX GlobalAveragePool: the mean of each {@code [n, c]} plane. */
public final class GlobalAveragePool extends GlobalPoolOp {

    public GlobalAveragePool(OpContext ctx) {
        super(ctx, false);
    }
}
