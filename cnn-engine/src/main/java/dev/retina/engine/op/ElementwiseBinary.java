package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.BinaryOp;
import dev.retina.engine.kernel.Broadcast;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Value;
import java.util.List;

/**
 * Base of Add, Sub, Mul and Div: {@code C = A op B} with numpy (multidirectional) broadcasting;
 * shapes are right-aligned and each dimension pair must be equal or contain a 1. Float tensors are
 * computed by the kernels; two int64 constants (shape arithmetic) fold at load time, Div truncating
 * toward zero. The legacy {@code broadcast}/{@code axis} attributes (opset < 7) are not supported.
 */
abstract class ElementwiseBinary implements Op, Folding {

    private final OpContext ctx;
    private final BinaryOp op;
    private final Broadcast plan;

    ElementwiseBinary(OpContext ctx, BinaryOp op) {
        this.ctx = ctx;
        this.op = op;
        ctx.requireArity(2, 2, 1);
        ctx.allowAttributes();
        boolean longs = ctx.constant(0) instanceof LongTensor && ctx.constant(1) instanceof LongTensor;
        if (!longs) {
            ctx.requireFloat(0);
            ctx.requireFloat(1);
        }
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

    @Override
    public List<Value> fold(List<Value> inputs) {
        if (!(inputs.get(0) instanceof LongTensor a) || !(inputs.get(1) instanceof LongTensor b)) {
            return null;
        }
        long[] out = new long[plan.outSize()];
        int rank = plan.outDims().length;
        int[] idx = new int[rank];
        for (int o = 0; o < out.length; o++) {
            int ai = 0;
            int bi = 0;
            int rem = o;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d] = rem % plan.outDims()[d];
                rem /= plan.outDims()[d];
                ai += idx[d] * plan.aStrides()[d];
                bi += idx[d] * plan.bStrides()[d];
            }
            out[o] = apply(a.data()[ai], b.data()[bi]);
        }
        return List.of(LongTensor.of(Shape.of(plan.outDims()), out));
    }

    private long apply(long x, long y) {
        switch (op) {
            case ADD:
                return x + y;
            case SUB:
                return x - y;
            case MUL:
                return x * y;
            case DIV:
                if (y == 0) {
                    throw ctx.error(Reason.INVALID_MODEL, "int64 division by zero in shape arithmetic");
                }
                return x / y;
            default:
                throw new IllegalStateException("unhandled " + op);
        }
    }

    @Override
    public boolean keepsImagesApart() {
        return true;
    }
}
