package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Squeeze: removes the listed size-1 axes (attribute axes before opset 13, constant int64
 * input 1 from 13; negative axes count from the end), or every size-1 axis when none are given.
 */
public final class Squeeze extends ReshapeLike {

    public Squeeze(OpContext ctx) {
        super(ctx);
        long[] axes;
        if (ctx.opset() < 13) {
            ctx.requireArity(1, 1, 1);
            ctx.allowAttributes("axes");
            int[] a = ctx.attrInts("axes", null);
            axes = a == null ? null : java.util.Arrays.stream(a).asLongStream().toArray();
        } else {
            ctx.requireArity(1, 2, 1);
            ctx.allowAttributes();
            axes = ctx.hasInput(1) ? ctx.longConstant(1, "axes") : null;
        }
        Shape x = ctx.shape(0);
        boolean[] drop = new boolean[x.rank()];
        if (axes == null) {
            for (int i = 0; i < x.rank(); i++) {
                drop[i] = x.dim(i) == 1;
            }
        } else {
            for (long a : axes) {
                int i = ctx.axis(a, x.rank(), "axes value");
                if (x.dim(i) != 1) {
                    throw ctx.error(Reason.SHAPE_MISMATCH, "axis " + a + " expected size 1, found " + x.dim(i)
                            + " in " + x);
                }
                drop[i] = true;
            }
        }
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!drop[i]) {
                dims.add(x.dim(i));
            }
        }
        resolved(Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()));
    }
}
