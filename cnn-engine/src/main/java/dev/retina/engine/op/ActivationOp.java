package dev.retina.engine.op;

import dev.retina.engine.kernel.Activation;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.Shape;
import java.util.List;

/** Base of the elementwise activations: output shape = input shape, {@code y = f(x)}. */
abstract class ActivationOp implements Op {

    private final OpContext ctx;
    private final Activation activation;

    ActivationOp(OpContext ctx, Activation activation) {
        this.ctx = ctx;
        this.activation = activation;
        ctx.requireFloat(0);
    }

    /** The function this op applies; used by load-time fusion into Conv/Gemm. */
    public Activation activation() {
        return activation;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(in.get(0));
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        ctx.kernels().activation(activation, inputs[0], outputs[0], (int) ctx.shape(0).size(), cc);
    }

    @Override
    public boolean keepsImagesApart() {
        return true;
    }
}
