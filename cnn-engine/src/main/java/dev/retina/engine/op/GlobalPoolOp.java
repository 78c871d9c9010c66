package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.Shape;
import java.util.List;

/** Base of the global pools: {@code [N, C, d1, d2, ...]} to {@code [N, C, 1, 1, ...]} over all spatial dims. */
abstract class GlobalPoolOp implements Op {

    private final OpContext ctx;
    private final boolean max;

    GlobalPoolOp(OpContext ctx, boolean max) {
        this.ctx = ctx;
        this.max = max;
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes();
        ctx.requireFloat(0);
        if (ctx.shape(0).rank() < 3) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "expected an input of rank >= 3 [N, C, ...], found "
                    + ctx.shape(0));
        }
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        int[] dims = in.get(0).dims();
        for (int i = 2; i < dims.length; i++) {
            dims[i] = 1;
        }
        return List.of(Shape.of(dims));
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        Shape x = ctx.shape(0);
        int planes = x.dim(0) * x.dim(1);
        ctx.kernels().globalPool(max, inputs[0], outputs[0], planes, (int) x.size(2, x.rank()), cc);
    }

    @Override
    public boolean keepsImagesApart() {
        return true;
    }
}
