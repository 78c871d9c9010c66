package dev.retina.engine.train;

import java.util.Random;

/**
 * A layer of the trainer's network: forward and backward for one image at a time. Parameters live in
 * the network's flat parameter vector at {@link #paramOffset}; gradients go to the same positions of
 * a gradient vector of equal length. Layers hold no per-call state: scratch memory is a per-thread
 * object from {@link #newScratch()}.
 */
abstract class Layer {

    final LayerSpec spec;
    final int[] inDims;
    final int[] outDims;
    final int inSize;
    final int outSize;
    int paramOffset;

    Layer(LayerSpec spec, int[] inDims, int[] outDims) {
        this.spec = spec;
        this.inDims = inDims.clone();
        this.outDims = outDims.clone();
        this.inSize = product(inDims);
        this.outSize = product(outDims);
    }

    /** Number of parameters (weights then biases). */
    int paramCount() {
        return 0;
    }

    /** Writes initial parameter values into {@code params} at {@link #paramOffset}. */
    void init(float[] params, Random random) {
    }

    /** Per-thread scratch memory, or null when the layer needs none. */
    Object newScratch() {
        return null;
    }

    /** {@code y = f(x)}; overwrites {@code y[0, outSize)}. */
    abstract void forward(float[] params, float[] x, float[] y, Object scratch);

    /**
     * Back-propagates {@code dy}: adds parameter gradients to {@code grad} at {@link #paramOffset} and, when
     * {@code dx} is not null, overwrites {@code dx[0, inSize)} with the input gradient. {@code x} and
     * {@code y} are this layer's input and output from the matching forward call.
     */
    abstract void backward(float[] params, float[] x, float[] y, float[] dy, float[] dx, float[] grad, Object scratch);

    /** Multiply-accumulates per image in the forward pass. */
    long macs() {
        return 0;
    }

    static int product(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("activation too large: " + n + " elements");
        }
        return (int) n;
    }

    /** He (Kaiming) normal initialisation: N(0, 2 / fanIn), suited to ReLU networks. */
    static void heNormal(float[] params, int offset, int count, int fanIn, Random random) {
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < count; i++) {
            params[offset + i] = (float) (random.nextGaussian() * std);
        }
    }
}
