package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.Shape;
import java.util.List;

/** ONNX Transpose: output axis i is input axis {@code perm[i]}; perm defaults to reversing the axes. */
public final class Transpose implements Op {

    private final OpContext ctx;
    private final int[] perm;
    private final Shape out;

    public Transpose(OpContext ctx) {
        this.ctx = ctx;
        ctx.requireArity(1, 1, 1);
        ctx.allowAttributes("perm");
        ctx.requireFloat(0);
        Shape x = ctx.shape(0);
        int[] reversed = new int[x.rank()];
        for (int i = 0; i < reversed.length; i++) {
            reversed[i] = x.rank() - 1 - i;
        }
        this.perm = ctx.attrInts("perm", reversed);
        boolean[] seen = new boolean[x.rank()];
        if (perm.length != x.rank()) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "perm expected " + x.rank() + " axes for input " + x + ", found "
                    + java.util.Arrays.toString(perm));
        }
        int[] dims = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] < 0 || perm[i] >= x.rank() || seen[perm[i]]) {
                throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, "perm expected a permutation of 0.." + (x.rank() - 1)
                        + ", found " + java.util.Arrays.toString(perm));
            }
            seen[perm[i]] = true;
            dims[i] = x.dim(perm[i]);
        }
        this.out = Shape.of(dims);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(out);
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        ctx.kernels().transpose(inputs[0], outputs[0], ctx.shape(0).dims(), perm);
    }
}
