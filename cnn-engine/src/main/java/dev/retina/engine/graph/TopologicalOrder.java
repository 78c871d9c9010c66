package dev.retina.engine.graph;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Orders nodes so every value is produced before it is read (Kahn's algorithm, stable: ties keep file
 * order). Detects values produced twice, reads of values nobody produces, and cycles (naming the nodes
 * on them).
 */
public final class TopologicalOrder {

    private TopologicalOrder() {
    }

    /**
     * @param available values present before any node runs (graph inputs and initializers)
     */
    public static List<Node> sort(List<Node> nodes, Set<String> available) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                if (available.contains(out) || producer.putIfAbsent(out, i) != null) {
                    throw new ModelLoadException(Reason.INVALID_MODEL, nodes.get(i).describe() + ": output '" + out
                            + "' is already produced by another node, input or initializer");
                }
            }
        }
        int[] pending = new int[nodes.size()];
        List<List<Integer>> consumers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            consumers.add(new ArrayList<>());
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            Set<Integer> deps = new HashSet<>();
            for (String in : node.inputs()) {
                if (in.isEmpty() || available.contains(in)) {
                    continue;
                }
                Integer p = producer.get(in);
                if (p == null) {
                    throw new ModelLoadException(Reason.MISSING_INPUT, node.describe() + ": input '" + in
                            + "' is not a graph input, an initializer or any node's output");
                }
                if (deps.add(p)) {
                    consumers.get(p).add(i);
                    pending[i]++;
                }
            }
        }
        // Ready nodes leave in file order, so the plan reads like the file.
        PriorityQueue<Integer> queue = new PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (pending[i] == 0) {
                queue.add(i);
            }
        }
        List<Node> order = new ArrayList<>(nodes.size());
        while (!queue.isEmpty()) {
            int i = queue.poll();
            order.add(nodes.get(i));
            for (int c : consumers.get(i)) {
                if (--pending[c] == 0) {
                    queue.add(c);
                }
            }
        }
        if (order.size() != nodes.size()) {
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                if (pending[i] > 0) {
                    stuck.add(nodes.get(i).describe());
                }
            }
            throw new ModelLoadException(Reason.CYCLE, "the graph has a cycle through " + stuck);
        }
        return order;
    }
}
