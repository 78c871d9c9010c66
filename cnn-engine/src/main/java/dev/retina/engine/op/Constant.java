package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.util.List;

/**
 * ONNX Constant: exactly one of the attributes value (tensor), value_float, value_floats, value_int,
 * value_ints. Always folded.
 */
public final class Constant extends FoldOnly {

    private final Value value;

    public Constant(OpContext ctx) {
        ctx.requireArity(0, 0, 1);
        ctx.allowAttributes("value", "value_float", "value_floats", "value_int", "value_ints");
        Value v = null;
        int count = 0;
        if (ctx.hasAttr("value")) {
            v = ctx.attrTensor("value");
            count++;
        }
        if (ctx.hasAttr("value_float")) {
            v = Tensor.of(Shape.scalar(), new float[] {ctx.attrFloat("value_float", 0f)});
            count++;
        }
        if (ctx.hasAttr("value_floats")) {
            float[] f = ctx.attrFloats("value_floats", new float[0]);
            v = Tensor.of(Shape.of(f.length), f);
            count++;
        }
        if (ctx.hasAttr("value_int")) {
            v = LongTensor.of(Shape.scalar(), new long[] {ctx.attrLong("value_int", 0)});
            count++;
        }
        if (ctx.hasAttr("value_ints")) {
            int[] i = ctx.attrInts("value_ints", new int[0]);
            v = LongTensor.vector(java.util.Arrays.stream(i).asLongStream().toArray());
            count++;
        }
        if (count != 1) {
            throw ctx.error(Reason.INVALID_MODEL, "expected exactly one value attribute, found " + count);
        }
        this.value = v;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(value.shape());
    }

    @Override
    public List<Value> fold(List<Value> inputs) {
        return List.of(value);
    }
}
