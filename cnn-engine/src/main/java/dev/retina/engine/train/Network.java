package dev.retina.engine.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A trainable feed-forward classifier: the layers of an {@link Architecture} over images
 * {@code [C, H, W]} (float, row-major, already normalised), ending in {@code classes} logits.
 *
 * <p>All parameters live in one flat vector, layer by layer, each layer's weights before its bias;
 * gradients use the same layout. The network is not thread-safe while its parameters change; for
 * concurrent forward/backward calls on fixed parameters each thread uses its own {@link Workspace}.
 */
public final class Network {

    private final int[] inputDims;
    private final int classes;
    private final List<Layer> layers;
    private final Architecture resolved;
    private final float[] params;

    private Network(int[] inputDims, Architecture architecture, int classes) {
        if (inputDims.length != 3 || inputDims[0] <= 0 || inputDims[1] <= 0 || inputDims[2] <= 0) {
            throw new IllegalArgumentException("expected input dims [C, H, W] > 0, found " + Arrays.toString(inputDims));
        }
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, found " + classes);
        }
        this.inputDims = inputDims.clone();
        this.classes = classes;
        List<Layer> built = new ArrayList<>();
        List<LayerSpec> specs = new ArrayList<>();
        int[] dims = inputDims.clone();
        List<LayerSpec> requested = new ArrayList<>(architecture.layers());
        LayerSpec last = requested.get(requested.size() - 1);
        if (!(last instanceof LayerSpec.Dense)) {
            requested.add(new LayerSpec.Dense(classes));
        } else if (((LayerSpec.Dense) last).outFeatures() != classes) {
            throw new IllegalArgumentException("architecture " + architecture + " ends in " + last.token()
                    + " but the data has " + classes + " classes; expected dense:" + classes + " or no final dense");
        }
        int offset = 0;
        for (LayerSpec spec : requested) {
            if (spec instanceof LayerSpec.Dense && dims.length != 1) {
                Layer flatten = new FlattenLayer(new LayerSpec.Flatten(), dims);
                built.add(flatten);
                specs.add(flatten.spec);
                dims = flatten.outDims;
            }
            Layer layer = create(spec, dims);
            layer.paramOffset = offset;
            offset = Math.addExact(offset, layer.paramCount());
            built.add(layer);
            specs.add(spec);
            dims = layer.outDims;
        }
        this.layers = Collections.unmodifiableList(built);
        this.resolved = new Architecture(specs);
        this.params = new float[offset];
    }

    private static Layer create(LayerSpec spec, int[] dims) {
        if (spec instanceof LayerSpec.Conv c) {
            return new ConvLayer(c, dims);
        } else if (spec instanceof LayerSpec.Relu r) {
            return new ReluLayer(r, dims);
        } else if (spec instanceof LayerSpec.MaxPool p) {
            return new MaxPoolLayer(p, dims);
        } else if (spec instanceof LayerSpec.Flatten f) {
            if (dims.length == 1) {
                throw new IllegalArgumentException("flatten expects a [C, H, W] input, found " + Arrays.toString(dims));
            }
            return new FlattenLayer(f, dims);
        } else if (spec instanceof LayerSpec.Dense d) {
            return new DenseLayer(d, dims);
        }
        throw new IllegalArgumentException("unsupported layer " + spec);
    }

    /**
     * A network with He-initialised weights and zero biases, drawn from {@code new Random(seed)} layer
     * by layer, so equal arguments give bit-identical parameters.
     */
    public static Network create(int channels, int height, int width, Architecture architecture, int classes,
            long seed) {
        Network n = new Network(new int[] {channels, height, width}, architecture, classes);
        Random random = new Random(seed);
        for (Layer l : n.layers) {
            l.init(n.params, random);
        }
        return n;
    }

    /** A network with the given parameter vector (layout as in {@link #parameters()}). */
    public static Network withParameters(int channels, int height, int width, Architecture architecture,
            int classes, float[] parameters) {
        Network n = new Network(new int[] {channels, height, width}, architecture, classes);
        if (parameters.length != n.params.length) {
            throw new IllegalArgumentException("architecture " + n.resolved + " has " + n.params.length
                    + " parameters, found " + parameters.length);
        }
        System.arraycopy(parameters, 0, n.params, 0, parameters.length);
        return n;
    }

    /** {@code [C, H, W]} of one input image. */
    public int[] inputDims() {
        return inputDims.clone();
    }

    public int inputSize() {
        return layers.get(0).inSize;
    }

    public int classes() {
        return classes;
    }

    /** The layers actually built: the architecture plus inserted flatten layers and the final dense layer. */
    public Architecture architecture() {
        return resolved;
    }

    public int parameterCount() {
        return params.length;
    }

    /** Forward multiply-accumulates per image. */
    public long macsPerImage() {
        long m = 0;
        for (Layer l : layers) {
            m += l.macs();
        }
        return m;
    }

    /** A copy of the flat parameter vector. */
    public float[] parameters() {
        return params.clone();
    }

    /** The live parameter vector, for the optimizer and the exporter. */
    float[] params() {
        return params;
    }

    List<Layer> layers() {
        return layers;
    }

    /** Logits for one image ({@code [C, H, W]}, length {@link #inputSize()}); allocates a workspace. */
    public float[] logits(float[] image) {
        Workspace ws = newWorkspace();
        forward(ws, image);
        return Arrays.copyOf(ws.output(), classes);
    }

    /** Class probabilities (softmax of the logits) for one image. */
    public float[] probabilities(float[] image) {
        float[] z = logits(image);
        float[] p = new float[classes];
        SoftmaxCrossEntropy.softmax(z, classes, p);
        return p;
    }

    Workspace newWorkspace() {
        return new Workspace(this);
    }

    /** Runs the forward pass; the logits end up in {@code ws.output()}. */
    void forward(Workspace ws, float[] image) {
        if (image.length < inputSize()) {
            throw new IllegalArgumentException("expected an input of " + inputSize() + " floats "
                    + Arrays.toString(inputDims) + ", found " + image.length);
        }
        System.arraycopy(image, 0, ws.acts[0], 0, inputSize());
        runForward(ws);
    }

    void runForward(Workspace ws) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).forward(params, ws.acts[i], ws.acts[i + 1], ws.scratch[i]);
        }
    }

    /**
     * Forward and backward for the image in {@code ws.acts[0]}: adds this image's parameter gradients of
     * the cross-entropy loss to {@code grad} and returns the loss. With {@code inputGradient} the gradient
     * with respect to the input lands in {@code ws.deltas[0]}. The probabilities are left in {@code ws.probs}.
     */
    float forwardBackward(Workspace ws, int label, float[] grad, boolean inputGradient) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " outside [0, " + classes + ")");
        }
        runForward(ws);
        int last = layers.size();
        float loss = SoftmaxCrossEntropy.lossAndGradient(ws.acts[last], classes, label, ws.probs, ws.deltas[last]);
        for (int i = last - 1; i >= 0; i--) {
            float[] dx = (i > 0 || inputGradient) ? ws.deltas[i] : null;
            layers.get(i).backward(params, ws.acts[i], ws.acts[i + 1], ws.deltas[i + 1], dx, grad, ws.scratch[i]);
        }
        return loss;
    }

    /** Per-thread buffers for one image: activations, their gradients and the layers' scratch memory. */
    static final class Workspace {
        final float[][] acts;
        final float[][] deltas;
        final Object[] scratch;
        final float[] probs;

        Workspace(Network n) {
            int count = n.layers.size();
            acts = new float[count + 1][];
            deltas = new float[count + 1][];
            scratch = new Object[count];
            acts[0] = new float[n.layers.get(0).inSize];
            deltas[0] = new float[n.layers.get(0).inSize];
            for (int i = 0; i < count; i++) {
                Layer l = n.layers.get(i);
                acts[i + 1] = new float[l.outSize];
                deltas[i + 1] = new float[l.outSize];
                scratch[i] = l.newScratch();
            }
            probs = new float[n.classes];
        }

        float[] input() {
            return acts[0];
        }

        float[] output() {
            return acts[acts.length - 1];
        }
    }
}
