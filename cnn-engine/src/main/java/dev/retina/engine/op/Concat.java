package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.util.Collections;
import java.util.List;

/**
 * ONNX Concat along attribute axis (required; negative counts from the end): all inputs share every
 * other dimension. Float inputs are copied at run time; all-constant inputs (float, or the int64
 * shape vectors of PyTorch's shape arithmetic) fold at load time.
 */
public final class Concat implements Op, Folding {

    private final int axis;
    private final Shape out;
    private final int outer;
    private final int[] blocks;

    public Concat(OpContext ctx) {
        if (ctx.inputCount() < 1) {
            throw ctx.error(Reason.INVALID_MODEL, "expected at least 1 input, found 0");
        }
        ctx.requireArity(1, Integer.MAX_VALUE, 1);
        ctx.allowAttributes("axis");
        if (!ctx.hasAttr("axis")) {
            throw ctx.error(Reason.INVALID_MODEL, "required attribute 'axis' is missing");
        }
        Shape first = ctx.shape(0);
        this.axis = ctx.axis(ctx.attrLong("axis", 0), first.rank(), "axis");
        boolean longs = ctx.constant(0) instanceof LongTensor;
        int total = 0;
        blocks = new int[ctx.inputCount()];
        int inner = (int) first.size(axis + 1, first.rank());
        for (int i = 0; i < ctx.inputCount(); i++) {
            Shape s = ctx.shape(i);
            if (s == null || s.rank() != first.rank()) {
                throw ctx.error(Reason.SHAPE_MISMATCH, "input " + i + " expected rank " + first.rank() + ", found "
                        + s);
            }
            if ((ctx.constant(i) instanceof LongTensor) != longs) {
                throw ctx.error(Reason.UNSUPPORTED_DATA_TYPE, "inputs mix float32 and int64");
            }
            for (int d = 0; d < s.rank(); d++) {
                if (d != axis && s.dim(d) != first.dim(d)) {
                    throw ctx.error(Reason.SHAPE_MISMATCH, "input " + i + " " + s + " differs from input 0 "
                            + first + " outside axis " + axis);
                }
            }
            total += s.dim(axis);
            blocks[i] = s.dim(axis) * inner;
        }
        this.out = first.withDim(axis, total);
        this.outer = (int) first.size(0, axis);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(out);
    }

    /** Joining along an axis past the first keeps each image's slices together. */
    @Override
    public boolean keepsImagesApart() {
        return axis >= 1;
    }

    @Override
    public int[] runtimeInputs() {
        return Op.firstInputs(blocks.length);
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        int rowLength = 0;
        for (int b : blocks) {
            rowLength += b;
        }
        int offset = 0;
        for (int i = 0; i < blocks.length; i++) {
            for (int o = 0; o < outer; o++) {
                System.arraycopy(inputs[i], o * blocks[i], outputs[0], o * rowLength + offset, blocks[i]);
            }
            offset += blocks[i];
        }
    }

    @Override
    public List<Value> fold(List<Value> inputs) {
        if (inputs.contains(null)) {
            return null;
        }
        if (inputs.get(0) instanceof LongTensor) {
            long[] data = new long[(int) out.size()];
            int rowLength = (int) (out.size() / Math.max(1, outer));
            int offset = 0;
            for (int i = 0; i < blocks.length; i++) {
                long[] src = ((LongTensor) inputs.get(i)).data();
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(src, o * blocks[i], data, o * rowLength + offset, blocks[i]);
                }
                offset += blocks[i];
            }
            return Collections.singletonList(LongTensor.of(out, data));
        }
        float[][] in = new float[inputs.size()][];
        for (int i = 0; i < in.length; i++) {
            in[i] = ((Tensor) inputs.get(i)).data();
        }
        float[] data = new float[(int) out.size()];
        run(in, new float[][] {data}, null);
        return Collections.singletonList(Tensor.of(out, data));
    }
}
