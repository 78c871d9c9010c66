package dev.retina.engine.graph;

import dev.retina.engine.op.Op;

/**
 * One runtime operation of a compiled plan: the op, the value ids it reads (in the op's
 * {@link Op#runtimeInputs()} order) and writes, and the node it came from.
 */
public record Step(Op op, int[] inputIds, int[] outputIds, Node node) {
}
