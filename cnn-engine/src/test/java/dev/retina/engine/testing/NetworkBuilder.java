package dev.retina.engine.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Layer-level helpers over {@link OnnxGraphBuilder}: each call adds the nodes and seeded random weights of one layer,
 * written the way PyTorch's exporter writes it for the builder's opset, and returns the layer's output name.
 *
 * <p>Weights are realistic rather than tiny: He-normal conv and linear weights, BatchNormalization with non-trivial
 * scale, shift, running mean and variance, so activations keep a useful magnitude through deep networks and every
 * arithmetic path of the engine contributes to the output that is compared. To make the BatchNormalization statistics
 * plausible (as in a trained network, where they roughly normalise the activations), the builder tracks a rough
 * estimate of each value's second moment E[x²] through the layers (inputs are assumed standard normal) and draws the
 * running variance around it; otherwise a random-weight residual network grows its activations by orders of
 * magnitude, which no trained network does.
 */
public final class NetworkBuilder {
    private final OnnxGraphBuilder graph;
    private final SeededRandom random;
    private final Map<String, Double> secondMoment = new HashMap<>();
    private int parameterCounter;

    public NetworkBuilder(OnnxGraphBuilder graph, long seed) {
        this.graph = graph;
        this.random = new SeededRandom(seed);
    }

    /** The underlying graph builder, for inputs, outputs and nodes this class has no helper for. */
    public OnnxGraphBuilder graph() {
        return graph;
    }

    /** The seeded random source the weights come from. */
    public SeededRandom random() {
        return random;
    }

    /**
     * Conv with square kernel {@code k}, equal stride and symmetric padding; weight [outC, inC/group, k, k] He-normal,
     * optional bias [outC].
     */
    public String conv(String x, int inC, int outC, int k, int stride, int pad, int group, boolean bias) {
        if (inC % group != 0 || outC % group != 0) {
            throw new IllegalArgumentException("channels " + inC + "->" + outC + " not divisible by group " + group);
        }
        int fanIn = inC / group * k * k;
        String w = graph.floats(param("weight"), random.he(outC * fanIn, fanIn), outC, inC / group, k, k);
        List<String> inputs = bias
                ? List.of(x, w, graph.floats(param("bias"), random.normal(outC, 0, 0.05), outC))
                : List.of(x, w);
        String y = graph.node("Conv", inputs,
                Attr.ints("dilations", 1, 1), Attr.i("group", group), Attr.ints("kernel_shape", k, k),
                Attr.ints("pads", pad, pad, pad, pad), Attr.ints("strides", stride, stride));
        // He weights: E[y²] = fanIn * (2 / fanIn) * E[x²].
        return track(y, 2 * moment(x));
    }

    /** Inference BatchNormalization over {@code channels} with non-trivial gamma, beta, running mean and variance. */
    public String batchNorm(String x, int channels) {
        double inputMoment = moment(x);
        float[] gamma = random.uniform(channels, 0.5, 1.5);
        float[] beta = random.normal(channels, 0.05, 0.1);
        float[] mean = random.normal(channels, 0, 0.1 * Math.sqrt(inputMoment));
        float[] var = random.uniform(channels, 0.7 * inputMoment, 1.3 * inputMoment);
        String y = graph.node("BatchNormalization", List.of(x,
                        graph.floats(param("bn_scale"), gamma, channels),
                        graph.floats(param("bn_shift"), beta, channels),
                        graph.floats(param("bn_mean"), mean, channels),
                        graph.floats(param("bn_var"), var, channels)),
                // PyTorch writes momentum too; an inference engine must accept and ignore it.
                Attr.f("epsilon", 1e-5f), Attr.f("momentum", 0.9f));
        double outputMoment = 0;
        for (int c = 0; c < channels; c++) {
            double invStd = 1 / Math.sqrt(var[c] + 1e-5);
            double shift = beta[c] - gamma[c] * mean[c] * invStd;
            outputMoment += gamma[c] * gamma[c] * inputMoment * invStd * invStd + shift * shift;
        }
        return track(y, outputMoment / channels);
    }

    public String relu(String x) {
        return track(graph.node("Relu", List.of(x)), moment(x) / 2);
    }

    /** ReLU6 as PyTorch exports it: Clip with attributes before opset 11, with min/max inputs from opset 11. */
    public String relu6(String x) {
        if (graph.opset() < 11) {
            return track(graph.node("Clip", List.of(x), Attr.f("min", 0f), Attr.f("max", 6f)), moment(x) / 2);
        }
        String min = graph.floats(param("clip_min"), new float[] {0f});
        String max = graph.floats(param("clip_max"), new float[] {6f});
        return track(graph.node("Clip", List.of(x, min, max)), moment(x) / 2);
    }

    public String add(String a, String b) {
        return track(graph.node("Add", List.of(a, b)), moment(a) + moment(b));
    }

    /** MaxPool with square kernel, equal strides, symmetric pads; {@code ceilMode} as torch's ceil_mode. */
    public String maxPool(String x, int k, int stride, int pad, boolean ceilMode) {
        if (graph.opset() < 10) {
            // MaxPool-8 has no ceil_mode attribute at all.
            if (ceilMode) {
                throw new IllegalArgumentException("MaxPool ceil_mode needs opset >= 10, found " + graph.opset());
            }
            return track(graph.node("MaxPool", List.of(x), Attr.ints("kernel_shape", k, k),
                    Attr.ints("pads", pad, pad, pad, pad), Attr.ints("strides", stride, stride)), moment(x));
        }
        return track(graph.node("MaxPool", List.of(x),
                Attr.i("ceil_mode", ceilMode ? 1 : 0), Attr.ints("kernel_shape", k, k),
                Attr.ints("pads", pad, pad, pad, pad), Attr.ints("strides", stride, stride)), moment(x));
    }

    public String globalAveragePool(String x) {
        return track(graph.node("GlobalAveragePool", List.of(x)), moment(x));
    }

    /** {@code torch.flatten(x, 1)}: a Flatten node with axis 1. */
    public String flatten(String x) {
        return track(graph.node("Flatten", List.of(x), Attr.i("axis", 1)), moment(x));
    }

    /**
     * {@code x.view(x.size(0), -1)} as PyTorch exports it with a dynamic batch: Shape, Gather of dim 0, Unsqueeze,
     * Concat with [-1], Reshape. Unsqueeze takes its axes as an attribute before opset 13 and as an input from 13.
     */
    public String flattenByShape(String x) {
        String shape = graph.node("Shape", List.of(x));
        String index = graph.node("Constant", List.of(),
                Attr.tensor("value", OnnxTensors.int64s(param("index"), new long[] {0}, graph.encoding())));
        String batch = graph.node("Gather", List.of(shape, index), Attr.i("axis", 0));
        String batch1d = unsqueeze(batch, 0);
        String rest = graph.node("Constant", List.of(),
                Attr.tensor("value", OnnxTensors.int64s(param("rest"), new long[] {-1}, graph.encoding(), 1)));
        String target = graph.node("Concat", List.of(batch1d, rest), Attr.i("axis", 0));
        return track(graph.node("Reshape", List.of(x, target)), moment(x));
    }

    /** Unsqueeze in the builder's opset form (axes attribute before 13, axes input from 13). */
    public String unsqueeze(String x, long... axes) {
        if (graph.opset() < 13) {
            return graph.node("Unsqueeze", List.of(x), Attr.ints("axes", axes));
        }
        return graph.node("Unsqueeze", List.of(x, graph.int64s(param("axes"), axes)));
    }

    /** Reshape to a constant target shape (0 copies the input dim, -1 is inferred). */
    public String reshape(String x, long... shape) {
        return track(graph.node("Reshape", List.of(x, graph.int64s(param("shape"), shape))), moment(x));
    }

    /** Dropout with its default ratio: an identity at inference. */
    public String dropout(String x) {
        return track(graph.node("Dropout", List.of(x)), moment(x));
    }

    public String identity(String x) {
        return track(graph.node("Identity", List.of(x)), moment(x));
    }

    /**
     * {@code nn.Linear(in, out)} as exported: Gemm with transB=1, weight [out, in] He-normal, bias [out].
     */
    public String linear(String x, int in, int out) {
        String w = graph.floats(param("fc_weight"), random.he(out * in, in), out, in);
        String b = graph.floats(param("fc_bias"), random.normal(out, 0, 0.05), out);
        return track(graph.node("Gemm", List.of(x, w, b), Attr.f("alpha", 1f), Attr.f("beta", 1f), Attr.i("transB", 1)),
                2 * moment(x));
    }

    public String concat(int axis, String... xs) {
        double sum = 0;
        for (String x : xs) {
            sum += moment(x);
        }
        return track(graph.node("Concat", List.of(xs), Attr.i("axis", axis)), sum / xs.length);
    }

    public String softmax(String x, int axis) {
        return graph.node("Softmax", List.of(x), Attr.i("axis", axis));
    }

    /** Estimated E[x²] of a value; graph inputs and untracked values count as standard normal. */
    private double moment(String name) {
        return secondMoment.getOrDefault(name, 1.0);
    }

    private String track(String name, double moment) {
        secondMoment.put(name, moment);
        return name;
    }

    private String param(String kind) {
        return "p" + parameterCounter++ + "_" + kind;
    }
}
