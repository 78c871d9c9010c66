package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.util.List;

/**
 * ONNX Gather on constants (shape vectors, constant tables): output shape
 * {@code data[:axis] + indices.shape + data[axis+1:]}, negative indices count from the end. Both
 * inputs must be known at load time; the op always folds.
 */
public final class Gather extends FoldOnly {

    private final OpContext ctx;
    private final int axis;
    private final Shape out;

    public Gather(OpContext ctx) {
        this.ctx = ctx;
        ctx.requireArity(2, 2, 1);
        ctx.allowAttributes("axis");
        if (ctx.constant(0) == null) {
            throw ctx.error(Reason.UNSUPPORTED_OPERATOR, "data expected a constant known at load time (shape"
                    + " arithmetic); Gather on run-time tensors is not supported");
        }
        ctx.longConstant(1, "indices");
        Shape data = ctx.shape(0);
        Shape indices = ctx.shape(1);
        this.axis = ctx.axis(ctx.attrLong("axis", 0), Math.max(1, data.rank()), "axis");
        if (data.rank() == 0) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "data expected rank >= 1, found a scalar");
        }
        int[] dims = new int[data.rank() - 1 + indices.rank()];
        int d = 0;
        for (int i = 0; i < axis; i++) {
            dims[d++] = data.dim(i);
        }
        for (int i = 0; i < indices.rank(); i++) {
            dims[d++] = indices.dim(i);
        }
        for (int i = axis + 1; i < data.rank(); i++) {
            dims[d++] = data.dim(i);
        }
        this.out = Shape.of(dims);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(out);
    }

    @Override
    public List<Value> fold(List<Value> inputs) {
        Value data = inputs.get(0);
        long[] indices = ((LongTensor) inputs.get(1)).data();
        Shape s = data.shape();
        int axisLen = s.dim(axis);
        int outer = (int) s.size(0, axis);
        int inner = (int) s.size(axis + 1, s.rank());
        int n = (int) out.size();
        int[] src = new int[n];
        int o = 0;
        for (int a = 0; a < outer; a++) {
            for (long idx : indices) {
                long i = idx < 0 ? idx + axisLen : idx;
                if (i < 0 || i >= axisLen) {
                    throw ctx.error(Reason.INVALID_MODEL, "index " + idx + " out of range for axis " + axis
                            + " of size " + axisLen);
                }
                for (int j = 0; j < inner; j++) {
                    src[o++] = (int) ((a * (long) axisLen + i) * inner + j);
                }
            }
        }
        if (data instanceof LongTensor lt) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = lt.data()[src[i]];
            }
            return List.of(LongTensor.of(out, v));
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((Tensor) data).data()[src[i]];
        }
        return List.of(Tensor.of(out, v));
    }
}
