package dev.retina.engine.graph;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A computation graph: runtime inputs (float32, the first dimension may be dynamic), output names,
 * nodes in topological order, and constant initializers by name.
 */
public record Graph(List<ValueInfo> inputs, List<String> outputs, List<Node> nodes, Map<String, Value> initializers,
                    int opset) {

    public Graph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        initializers = Map.copyOf(initializers);
    }

    public Graph withNodes(List<Node> newNodes, Map<String, Value> newInitializers) {
        return new Graph(inputs, outputs, newNodes, newInitializers, opset);
    }

    /**
     * This graph with {@code value}, an intermediate value some node produces, appended as one more output (after the
     * existing ones, so output 0 stays what it was). A graph output is kept by every load-time rewrite and lives in
     * its own buffer until the end of a run, so the value is returned exactly as the producing node computed it. A
     * value that already is an output is not added twice.
     *
     * @throws ModelLoadException with {@link Reason#MISSING_INPUT} if no node produces {@code value}
     */
    public Graph withAddedOutput(String value) {
        if (outputs.contains(value)) {
            return this;
        }
        boolean produced = nodes.stream().anyMatch(n -> n.outputs().contains(value));
        if (!produced) {
            throw new ModelLoadException(Reason.MISSING_INPUT, "cannot return '" + value + "' as an extra output: "
                    + "expected a value some node of the graph produces, found " + (initializers.containsKey(value)
                    ? "a constant initializer" : inputs.stream().anyMatch(i -> i.name().equals(value))
                    ? "a graph input" : "no such value"));
        }
        List<String> extended = new ArrayList<>(outputs);
        extended.add(value);
        return new Graph(inputs, extended, nodes, initializers, opset);
    }
}
