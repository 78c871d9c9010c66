package dev.retina.engine.op;

import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.util.Collections;
import java.util.List;

/**
 * Base of the ops that only reinterpret the shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity):
 * the row-major data is unchanged. In a plan the output shares the input's buffer ({@link #isView()});
 * {@link #run} copies, for callers that need a separate buffer; on constants (float or int64) the op
 * folds at load time.
 */
abstract class ReshapeLike implements Op, Folding {

    private final OpContext ctx;
    private Shape out;

    ReshapeLike(OpContext ctx) {
        this.ctx = ctx;
    }

    /** Sets the output shape once it is resolved; must keep the element count. */
    final void resolved(Shape shape) {
        if (shape.size() != ctx.shape(0).size()) {
            throw ctx.error(dev.retina.engine.ModelLoadException.Reason.SHAPE_MISMATCH, "output shape " + shape
                    + " expected to hold the input's " + ctx.shape(0).size() + " elements (input " + ctx.shape(0) + ")");
        }
        this.out = shape;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(out);
    }

    @Override
    public boolean isView() {
        return true;
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        System.arraycopy(inputs[0], 0, outputs[0], 0, (int) out.size());
    }

    @Override
    public List<Value> fold(List<Value> inputs) {
        Value v = inputs.get(0);
        if (v instanceof Tensor t) {
            return Collections.singletonList(Tensor.of(out, t.data()));
        }
        if (v instanceof LongTensor t) {
            return Collections.singletonList(LongTensor.of(out, t.data()));
        }
        return null;
    }

    @Override
    public boolean keepsImagesApart() {
        return true;
    }
}
