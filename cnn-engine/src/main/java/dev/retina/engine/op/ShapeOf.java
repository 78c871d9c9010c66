package dev.retina.engine.op;

import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Value;
import java.util.List;

/**
 * ONNX Shape: the int64 vector of the input's dimensions, sliced by the optional start/end
 * attributes (opset 15; negative counts from the end, clamped). Shapes are fully known when a plan is
 * compiled, so this always folds.
 */
public final class ShapeOf extends FoldOnly {

    private final long[] dims;

    public ShapeOf(OpContext ctx) {
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes("start", "end");
        Shape x = ctx.shape(0);
        int rank = x.rank();
        int start = clamp(ctx.attrLong("start", 0), rank);
        int end = clamp(ctx.attrLong("end", rank), rank);
        dims = new long[Math.max(0, end - start)];
        for (int i = start; i < end; i++) {
            dims[i - start] = x.dim(i);
        }
    }

    private static int clamp(long v, int rank) {
        long a = v < 0 ? v + rank : v;
        return (int) Math.max(0, Math.min(rank, a));
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(Shape.of(dims.length));
    }

    @Override
    public List<Value> fold(List<Value> inputs) {
        return List.of(LongTensor.vector(dims));
    }
}
