package dev.retina.engine.graph;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a classifier's embedding: the value that enters its final classifier layer.
 *
 * <p>The search starts at the first graph output (the class scores) and walks back through the operators a
 * classifier head puts after its last layer: Softmax/LogSoftmax/Sigmoid, Identity, Dropout, Flatten, Reshape,
 * Squeeze/Unsqueeze, Relu, GlobalAveragePool/GlobalMaxPool, and an Add of a constant (a MatMul + Add bias). The first
 * other node decides:
 * <ul>
 *   <li>Gemm or MatMul: the embedding is its data input (the one that is not a constant initializer), e.g. the
 *       flattened {@code [N, 512]} pooled features of a ResNet-18 or the {@code [N, 1280]} of a MobileNetV2;</li>
 *   <li>Conv (a conv-only head such as SqueezeNet's {@code conv10 -> Relu -> GlobalAveragePool}): the embedding is
 *       the input of that convolution, a feature map {@code [N, C, H, W]} ({@code [N, 512, 13, 13]} for
 *       SqueezeNet 1.1), which callers reduce to one value per channel;</li>
 *   <li>anything else, or a path that ends at a graph input or a constant: no embedding is found.</li>
 * </ul>
 * Works on the graph as imported (node order does not matter) and never modifies it.
 */
public final class EmbeddingLocator {

    private static final Set<String> HEAD_PASS_THROUGH = Set.of("Softmax", "LogSoftmax", "Sigmoid", "Identity",
            "Dropout", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Relu", "GlobalAveragePool", "GlobalMaxPool");

    private EmbeddingLocator() {
    }

    /** The name of the value entering the final classifier layer of {@code graph}, if the head has a known form. */
    public static Optional<String> locate(Graph graph) {
        if (graph.outputs().isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> producers = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String out : n.outputs()) {
                producers.put(out, n);
            }
        }
        Set<String> visited = new HashSet<>();
        String value = graph.outputs().get(0);
        // Each step moves to an earlier value; the visited set stops a malformed, cyclic graph.
        while (visited.add(value)) {
            Node n = producers.get(value);
            if (n == null || n.inputs().isEmpty()) {
                return Optional.empty();
            }
            String op = n.opType();
            if (op.equals("Gemm") || op.equals("MatMul")) {
                return dataInput(graph, producers, n.inputs().subList(0, Math.min(2, n.inputs().size())));
            }
            if (op.equals("Conv")) {
                return dataInput(graph, producers, List.of(n.inputs().get(0)));
            }
            if (op.equals("Add") && n.inputs().size() == 2) {
                Optional<String> runtime = dataInput(graph, producers, n.inputs());
                boolean otherIsConstant = runtime.isPresent()
                        && isConstant(graph, producers, otherOf(n.inputs(), runtime.get()));
                if (!otherIsConstant) {
                    return Optional.empty();
                }
                value = runtime.get();
                continue;
            }
            if (!HEAD_PASS_THROUGH.contains(op)) {
                return Optional.empty();
            }
            value = n.inputs().get(0);
        }
        return Optional.empty();
    }

    /** The first of {@code candidates} that a node computes (not a constant, not a graph input). */
    private static Optional<String> dataInput(Graph graph, Map<String, Node> producers, List<String> candidates) {
        for (String c : candidates) {
            if (!c.isEmpty() && producers.containsKey(c) && !isConstant(graph, producers, c)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static boolean isConstant(Graph graph, Map<String, Node> producers, String value) {
        Node producer = producers.get(value);
        return graph.initializers().containsKey(value) || producer != null && producer.opType().equals("Constant");
    }

    private static String otherOf(List<String> pair, String one) {
        return pair.get(0).equals(one) ? pair.get(1) : pair.get(0);
    }
}
