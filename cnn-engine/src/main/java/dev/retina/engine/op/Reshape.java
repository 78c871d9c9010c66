package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.tensor.Shape;

/**
 * ONNX Reshape: input 1 is the constant int64 target shape (known at load time, possibly computed by
 * folded shape arithmetic). A 0 copies the input's dimension at that index (unless attribute
 * allowzero = 1, then it is a real 0); one -1 is inferred from the element count.
 */
public final class Reshape extends ReshapeLike {

    public Reshape(OpContext ctx) {
        super(ctx);
        ctx.requireArity(2, 2, 1);
        ctx.allowAttributes("allowzero");
        boolean allowZero = ctx.attrLong("allowzero", 0) != 0;
        resolved(target(ctx, ctx.shape(0), ctx.longConstant(1, "shape"), allowZero));
    }

    /** Resolves a Reshape target against the input shape (0 = copy unless allowZero, -1 = infer). */
    static Shape target(OpContext ctx, Shape in, long[] spec, boolean allowZero) {
        int[] dims = new int[spec.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < spec.length; i++) {
            long d = spec[i];
            if (d == -1) {
                if (inferred >= 0) {
                    throw ctx.error(Reason.SHAPE_MISMATCH, "shape " + java.util.Arrays.toString(spec)
                            + " has more than one -1");
                }
                inferred = i;
                continue;
            }
            if (d == 0 && !allowZero) {
                if (i >= in.rank()) {
                    throw ctx.error(Reason.SHAPE_MISMATCH, "shape " + java.util.Arrays.toString(spec)
                            + " copies dimension " + i + " (0) but the input " + in + " has rank " + in.rank());
                }
                d = in.dim(i);
            }
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw ctx.error(Reason.SHAPE_MISMATCH, "shape " + java.util.Arrays.toString(spec)
                        + " has invalid dimension " + spec[i]);
            }
            dims[i] = (int) d;
            known *= d;
        }
        if (inferred >= 0) {
            if (known == 0 || in.size() % known != 0) {
                throw ctx.error(Reason.SHAPE_MISMATCH, "cannot reshape " + in + " (" + in.size()
                        + " elements) to " + java.util.Arrays.toString(spec));
            }
            dims[inferred] = (int) (in.size() / known);
        }
        return Shape.of(dims);
    }
}
