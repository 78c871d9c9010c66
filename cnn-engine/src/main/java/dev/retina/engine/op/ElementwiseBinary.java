package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.BinaryOp;
import dev.retina.engine.kernel.Broadcast;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.Shape;
import java.util.List;

/**
 * Base of Add, Sub, Mul and Div: {@code C = A op B} with numpy (multidirectional) broadcasting;
 * shapes are right-aligned and each dimension pair must be equal or contain a 1. The legacy
 * {@code broadcast}/{@code axis} attributes (opset < 7) are not supported.
 */
abstract class ElementwiseBinary implements Op {

    private final OpContext ctx;
    private final BinaryOp op;
    private final Broadcast plan;

    ElementwiseBinary(OpContext ctx, BinaryOp op) {
        this.ctx = ctx;
        this.op = op;
        ctx.requireArity(2, 2, 1);
        ctx.allowAttributes();
        ctx.requireFloat(0);
        ctx.requireFloat(1);
        Shape out = Broadcast.outputShape(ctx.shape(0), ctx.shape(1));
        if (out == null) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "inputs expected to broadcast, found " + ctx.shape(0)
                    + " and " + ctx.shape(1));
        }
        this.plan = Broadcast.of(ctx.shape(0), ctx.shape(1));
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(Broadcast.outputShape(in.get(0), in.get(1)));
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0, 1};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        ctx.kernels().binary(op, plan, inputs[0], inputs[1], outputs[0], cc);
    }
}
