package dev.retina.engine.graph;

import dev.retina.engine.kernel.Activation;
import dev.retina.engine.op.Attributes;
import dev.retina.engine.op.BatchNormalization;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Batch-independent load-time rewrites of a topologically sorted graph:
 * <ol>
 *   <li>Constant nodes become initializers (so later rewrites see their values), and an unread
 *       Dropout mask output is dropped;</li>
 *   <li>a BatchNormalization whose input is a Conv output read by nothing else is folded into the
 *       Conv's weights and bias: {@code W'[o] = W[o] * a[o]}, {@code B'[o] = B[o] * a[o] + b[o]} with
 *       {@code a, b} from {@link BatchNormalization#factors};</li>
 *   <li>Relu, LeakyRelu and Clip with constant bounds are fused into a preceding Conv, Gemm or
 *       BatchNormalization whose output they alone read.</li>
 * </ol>
 * A rewrite that does not apply leaves the nodes unchanged for the compiler to check and report.
 */
public final class GraphRewriter {

    private final Map<String, Value> initializers;
    private final Set<String> graphOutputs;
    private final int opset;
    private List<Node> nodes;

    private GraphRewriter(Graph graph) {
        this.initializers = new HashMap<>(graph.initializers());
        this.graphOutputs = new HashSet<>(graph.outputs());
        this.opset = graph.opset();
        this.nodes = new ArrayList<>(graph.nodes());
    }

    /** The rewritten graph. */
    public static Graph rewrite(Graph graph) {
        GraphRewriter r = new GraphRewriter(graph);
        r.constantsToInitializers();
        r.dropUnreadDropoutMasks();
        r.foldBatchNorm();
        r.fuseActivations();
        r.dropUnreadInitializers();
        return graph.withNodes(r.nodes, r.initializers);
    }

    /** Dropout's optional mask output, when nothing reads it, is simply not produced. */
    private void dropUnreadDropoutMasks() {
        Map<String, Integer> readers = readers();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.opType().equals("Dropout") && n.outputs().size() == 2
                    && readers.getOrDefault(n.outputs().get(1), 0) == 0 && !graphOutputs.contains(n.outputs().get(1))) {
                nodes.set(i, n.withOutputs(List.of(n.outputs().get(0))));
            }
        }
    }

    /** Forgets initializers no node reads any more (e.g. weights replaced by BatchNorm folding). */
    private void dropUnreadInitializers() {
        Set<String> read = new HashSet<>(graphOutputs);
        for (Node n : nodes) {
            read.addAll(n.inputs());
        }
        initializers.keySet().retainAll(read);
    }

    private void constantsToInitializers() {
        List<Node> kept = new ArrayList<>();
        for (Node n : nodes) {
            Value v = n.opType().equals("Constant") && n.outputs().size() == 1 && n.inputs().isEmpty()
                    ? constantValue(n.attributes()) : null;
            if (v != null && !initializers.containsKey(n.outputs().get(0))) {
                initializers.put(n.outputs().get(0), v);
            } else {
                kept.add(n);
            }
        }
        nodes = kept;
    }

    /** The value of a simple Constant node, or null to leave it to the op's own validation. */
    private static Value constantValue(Attributes a) {
        if (a.names().size() != 1) {
            return null;
        }
        Object v = a.raw(a.names().iterator().next());
        if (a.has("value") && v instanceof Value value) {
            return value;
        }
        if (a.has("value_float") && v instanceof Float f) {
            return Tensor.of(Shape.scalar(), new float[] {f});
        }
        if (a.has("value_floats") && v instanceof float[] f) {
            return Tensor.of(Shape.of(f.length), f.clone());
        }
        if (a.has("value_int") && v instanceof Long l) {
            return LongTensor.of(Shape.scalar(), new long[] {l});
        }
        if (a.has("value_ints") && v instanceof long[] l) {
            return LongTensor.vector(l);
        }
        return null;
    }

    private Map<String, Integer> readers() {
        Map<String, Integer> count = new HashMap<>();
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                count.merge(in, 1, Integer::sum);
            }
        }
        return count;
    }

    private Map<String, Integer> producers() {
        Map<String, Integer> p = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).outputs()) {
                p.put(out, i);
            }
        }
        return p;
    }

    /** True if {@code value} is read only by one node and is not a graph output. */
    private boolean soleReader(String value, Map<String, Integer> readers) {
        return readers.getOrDefault(value, 0) == 1 && !graphOutputs.contains(value);
    }

    private void foldBatchNorm() {
        Map<String, Integer> readers = readers();
        Map<String, Integer> producers = producers();
        Set<Integer> removed = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node bn = nodes.get(i);
            if (!bn.opType().equals("BatchNormalization") || bn.outputs().size() != 1 || bn.inputs().size() != 5) {
                continue;
            }
            Integer convIndex = producers.get(bn.inputs().get(0));
            if (convIndex == null || !soleReader(bn.inputs().get(0), readers)) {
                continue;
            }
            Node conv = nodes.get(convIndex);
            if (!conv.opType().equals("Conv") || conv.outputs().size() != 1 || !conv.fused().isNone()) {
                continue;
            }
            Node folded = foldInto(conv, bn);
            if (folded != null) {
                nodes.set(convIndex, folded);
                removed.add(i);
            }
        }
        List<Node> kept = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (!removed.contains(i)) {
                kept.add(nodes.get(i));
            }
        }
        nodes = kept;
    }

    private Node foldInto(Node conv, Node bn) {
        Attributes a = bn.attributes();
        for (String name : a.names()) {
            if (!Set.of("epsilon", "momentum", "training_mode", "spatial").contains(name)) {
                return null;
            }
        }
        if (isNonZero(a.raw("training_mode")) || (a.has("spatial") && !Long.valueOf(1).equals(a.raw("spatial")))) {
            return null;
        }
        float eps = a.raw("epsilon") instanceof Float f ? f : 1e-5f;
        Tensor w = floatInit(conv.inputs().size() > 1 ? conv.inputs().get(1) : "");
        Tensor bias = conv.inputs().size() > 2 && !conv.inputs().get(2).isEmpty() ? floatInit(conv.inputs().get(2)) : null;
        if (w == null || w.shape().rank() != 4 || conv.inputs().size() > 2 && !conv.inputs().get(2).isEmpty()
                && bias == null) {
            return null;
        }
        int outC = w.shape().dim(0);
        Tensor[] p = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            p[i] = floatInit(bn.inputs().get(i + 1));
            if (p[i] == null || p[i].shape().rank() != 1 || p[i].shape().dim(0) != outC) {
                return null;
            }
        }
        if (bias != null && (bias.shape().rank() != 1 || bias.shape().dim(0) != outC)) {
            return null;
        }
        float[][] f = BatchNormalization.factors(p[0].data(), p[1].data(), p[2].data(), p[3].data(), eps);
        float[] wData = w.data().clone();
        int perOut = wData.length / outC;
        float[] bData = new float[outC];
        for (int o = 0; o < outC; o++) {
            for (int j = o * perOut; j < (o + 1) * perOut; j++) {
                wData[j] *= f[0][o];
            }
            bData[o] = (bias == null ? 0f : bias.data()[o]) * f[0][o] + f[1][o];
        }
        String wName = unique(conv.outputs().get(0) + "/bn_folded_W");
        initializers.put(wName, Tensor.of(w.shape(), wData));
        String bName = unique(conv.outputs().get(0) + "/bn_folded_B");
        initializers.put(bName, Tensor.of(Shape.of(outC), bData));
        return new Node(conv.name(), "Conv", List.of(conv.inputs().get(0), wName, bName), bn.outputs(),
                conv.attributes(), conv.fused());
    }

    private static boolean isNonZero(Object v) {
        return v instanceof Long l && l != 0;
    }

    private String unique(String base) {
        String name = base;
        for (int i = 1; initializers.containsKey(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    private Tensor floatInit(String name) {
        return initializers.get(name) instanceof Tensor t ? t : null;
    }

    private void fuseActivations() {
        Map<String, Integer> readers = readers();
        Map<String, Integer> producers = producers();
        Set<Integer> removed = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node act = nodes.get(i);
            Activation activation = activationOf(act);
            if (activation == null) {
                continue;
            }
            String in = act.inputs().get(0);
            Integer pi = producers.get(in);
            if (pi == null || !soleReader(in, readers)) {
                continue;
            }
            Node producer = nodes.get(pi);
            boolean fusable = Set.of("Conv", "Gemm", "BatchNormalization").contains(producer.opType())
                    && producer.outputs().size() == 1 && producer.fused().isNone();
            if (fusable) {
                nodes.set(pi, producer.withFused(activation).withOutputs(act.outputs()));
                removed.add(i);
                producers.put(act.outputs().get(0), pi);
            }
        }
        List<Node> kept = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (!removed.contains(i)) {
                kept.add(nodes.get(i));
            }
        }
        nodes = kept;
    }

    /** The activation a node computes, if it is a fusable one with valid constant parameters. */
    private Activation activationOf(Node n) {
        if (n.outputs().size() != 1 || n.inputs().isEmpty()) {
            return null;
        }
        Attributes a = n.attributes();
        switch (n.opType()) {
            case "Relu":
                return n.inputs().size() == 1 && a.names().isEmpty() ? Activation.RELU : null;
            case "LeakyRelu":
                if (n.inputs().size() != 1 || !Set.of("alpha").containsAll(a.names())) {
                    return null;
                }
                return Activation.leakyRelu(a.raw("alpha") instanceof Float f ? f : 0.01f);
            case "Clip":
                return clipOf(n);
            default:
                return null;
        }
    }

    private Activation clipOf(Node n) {
        Attributes a = n.attributes();
        if (opset < 11) {
            if (n.inputs().size() != 1 || !Set.of("min", "max").containsAll(a.names())) {
                return null;
            }
            float min = a.raw("min") instanceof Float f ? f : -Float.MAX_VALUE;
            float max = a.raw("max") instanceof Float f ? f : Float.MAX_VALUE;
            return Activation.clip(min, max);
        }
        if (!a.names().isEmpty() || n.inputs().size() > 3) {
            return null;
        }
        Float min = bound(n, 1, Float.NEGATIVE_INFINITY);
        Float max = bound(n, 2, Float.POSITIVE_INFINITY);
        return min == null || max == null ? null : Activation.clip(min, max);
    }

    private Float bound(Node n, int i, float absent) {
        if (n.inputs().size() <= i || n.inputs().get(i).isEmpty()) {
            return absent;
        }
        Tensor t = floatInit(n.inputs().get(i));
        return t == null || t.shape().size() != 1 ? null : t.data()[0];
    }
}
