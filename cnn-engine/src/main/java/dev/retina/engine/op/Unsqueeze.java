package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.tensor.Shape;

/**
 * ONNX Unsqueeze: inserts size-1 axes at the listed positions of the output (attribute axes before
 * opset 13, constant int64 input 1 from 13; negative axes count from the end of the output rank).
 */
public final class Unsqueeze extends ReshapeLike {

    public Unsqueeze(OpContext ctx) {
        super(ctx);
        long[] axes;
        if (ctx.opset() < 13) {
            ctx.requireArity(1, 1, 1);
            ctx.allowAttributes("axes");
            int[] a = ctx.attrInts("axes", null);
            if (a == null) {
                throw ctx.error(Reason.INVALID_MODEL, "required attribute 'axes' is missing");
            }
            axes = java.util.Arrays.stream(a).asLongStream().toArray();
        } else {
            ctx.requireArity(2, 2, 1);
            ctx.allowAttributes();
            axes = ctx.longConstant(1, "axes");
        }
        Shape x = ctx.shape(0);
        int rank = x.rank() + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            int i = ctx.axis(a, rank, "axes value");
            if (inserted[i]) {
                throw ctx.error(Reason.INVALID_MODEL, "axes contain " + a + " twice");
            }
            inserted[i] = true;
        }
        int[] dims = new int[rank];
        int src = 0;
        for (int i = 0; i < rank; i++) {
            dims[i] = inserted[i] ? 1 : x.dim(src++);
        }
        resolved(Shape.of(dims));
    }
}
