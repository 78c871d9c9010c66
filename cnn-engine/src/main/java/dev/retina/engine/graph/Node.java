package dev.retina.engine.graph;

import dev.retina.engine.kernel.Activation;
import dev.retina.engine.op.Attributes;
import java.util.List;

/**
 * One operator application. An empty input name marks an absent optional input (ONNX convention).
 * {@code fused} is an activation merged into this node at load time (Conv/Gemm epilogues).
 */
public record Node(String name, String opType, List<String> inputs, List<String> outputs, Attributes attributes,
                   Activation fused) {

    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** "node 'conv1' (Conv)". */
    public String describe() {
        return "node '" + name + "' (" + opType + ")";
    }

    public Node withInputs(List<String> newInputs) {
        return new Node(name, opType, newInputs, outputs, attributes, fused);
    }

    public Node withOutputs(List<String> newOutputs) {
        return new Node(name, opType, inputs, newOutputs, attributes, fused);
    }

    public Node withFused(Activation activation) {
        return new Node(name, opType, inputs, outputs, attributes, activation);
    }
}
