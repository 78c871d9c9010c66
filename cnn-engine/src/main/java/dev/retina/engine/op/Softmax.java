package dev.retina.engine.op;

import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.Shape;
import java.util.List;

/**
 * ONNX Softmax. Opset < 13: the input is coerced to 2-D {@code [d0 * ... * d(axis-1), d(axis) * ... * dn]}
 * and softmax runs over each row (axis default 1). Opset >= 13: softmax over the single axis
 * (default -1). {@code y = exp(x - max) / sum(exp(x - max))}.
 */
public final class Softmax implements Op {

    private final OpContext ctx;
    private final int outer;
    private final int length;
    private final int inner;
    private final boolean pastFirstAxis;

    public Softmax(OpContext ctx) {
        this.ctx = ctx;
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes("axis");
        ctx.requireFloat(0);
        Shape x = ctx.shape(0);
        boolean legacy = ctx.opset() < 13;
        int rank = Math.max(1, x.rank());
        int axis = ctx.axis(ctx.attrLong("axis", legacy ? 1 : -1), rank, "axis");
        pastFirstAxis = axis >= 1;
        if (legacy) {
            outer = (int) x.size(0, axis);
            length = (int) x.size(axis, x.rank());
            inner = 1;
        } else {
            outer = (int) x.size(0, axis);
            length = x.rank() == 0 ? 1 : x.dim(axis);
            inner = (int) x.size(Math.min(axis + 1, x.rank()), x.rank());
        }
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(in.get(0));
    }

    /** Softmax over an axis past the first never mixes rows of the leading dimension. */
    @Override
    public boolean keepsImagesApart() {
        return pastFirstAxis;
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        ctx.kernels().softmax(inputs[0], outputs[0], outer, length, inner, cc);
    }
}
