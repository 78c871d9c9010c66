package dev.retina.engine.op;

import dev.retina.engine.kernel.ComputeContext;

/** Base of ops that always produce constants at load time and never run. */
abstract class FoldOnly implements Op, Folding {

    @Override
    public int[] runtimeInputs() {
        return new int[0];
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        throw new IllegalStateException(getClass().getSimpleName() + " is folded at load time and never runs");
    }
}
