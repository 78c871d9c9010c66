package dev.retina.engine.graph;

import dev.retina.engine.tensor.Shape;
import java.util.List;

/**
 * A graph specialised for one batch size: every value has an id and a static shape, constants are
 * folded ({@code constants[id]} non-null), and {@code steps} are the remaining runtime operations in
 * execution order. Immutable and shared by all concurrent runs.
 *
 * @param batch     the batch size the plan was compiled for
 * @param shapes    shape of every value id
 * @param constants data of float constants by id (null for runtime values)
 * @param inputIds  ids of the graph inputs, in model order
 * @param outputIds ids of the graph outputs, in model order
 * @param viewOf    per value id, the id whose data it shares (a runtime value that is only a reshaped
 *                  view of another, never itself a view), or -1
 * @param macs      multiply-accumulates of one run
 */
public record CompiledPlan(int batch, List<Step> steps, Shape[] shapes, float[][] constants, int[] inputIds,
                           int[] outputIds, int[] viewOf, long macs) {

    /** The id whose data {@code id} holds: itself, or the value it is a view of. */
    public int dataId(int id) {
        return viewOf[id] >= 0 ? viewOf[id] : id;
    }

    public int valueCount() {
        return shapes.length;
    }
}
