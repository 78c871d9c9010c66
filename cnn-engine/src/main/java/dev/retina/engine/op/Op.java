package dev.retina.engine.op;

import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.Shape;
import java.util.List;

/**
 * One graph node bound to concrete input shapes: holds its attributes and constant weights and
 * delegates arithmetic to the {@link dev.retina.engine.kernel.Kernels}. Shape inference
 * ({@link #outputShapes}) is separate from compute ({@link #run}), so a whole graph is checked at
 * load time. Ops hold no per-call state and may run concurrently.
 */
public interface Op {

    /**
     * Output shapes for the given input shapes (one per node input; null for an absent optional
     * input). Pure: reads only attributes and constants.
     *
     * @throws dev.retina.engine.ModelLoadException if the shapes do not fit the operator
     */
    List<Shape> outputShapes(List<Shape> inputShapes);

    /**
     * Indices of the node inputs read at run time, in the order {@link #run} receives them;
     * the others (weights, shape tensors, bounds) were consumed when the op was created.
     */
    int[] runtimeInputs();

    /**
     * Computes the outputs. Arrays may be longer than the tensors they hold (reused buffers); inputs
     * must not be written.
     */
    void run(float[][] inputs, float[][] outputs, ComputeContext ctx);

    /**
     * True if the output is the input's data unchanged under another shape (Reshape, Flatten,
     * Squeeze, Unsqueeze, Identity): the plan then lets the output share the input's buffer instead
     * of running the op.
     */
    default boolean isView() {
        return false;
    }

    /**
     * True if, when the batch is the leading dimension of every runtime input and output, image
     * {@code i} of each output depends only on image {@code i} of the inputs: the op never combines
     * data across the leading dimension. A session may then run a batch image by image (see
     * {@code Session}); false, the default, keeps the batch together.
     */
    default boolean keepsImagesApart() {
        return false;
    }

    /** Multiply-accumulates of one run, for model statistics. */
    default long macs() {
        return 0;
    }

    /** {@code [0, 1, ..., count - 1]}: the {@link #runtimeInputs} of an op that reads every input. */
    static int[] firstInputs(int count) {
        int[] all = new int[count];
        for (int i = 0; i < count; i++) {
            all[i] = i;
        }
        return all;
    }
}
