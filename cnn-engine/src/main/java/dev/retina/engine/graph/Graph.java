package dev.retina.engine.graph;

import dev.retina.engine.tensor.Value;
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
}
