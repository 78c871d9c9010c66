package dev.retina.engine.oracle;

import dev.retina.engine.tensor.Tensor;

import java.util.Map;

/**
 * One parameterised oracle test: a generated model and the inputs to run it on. Shown by {@code name} in test reports.
 */
record OracleCase(String name, byte[] model, Map<String, Tensor> inputs) {
    static OracleCase of(String name, byte[] model, String input, Tensor value) {
        return new OracleCase(name, model, Map.of(input, value));
    }

    @Override
    public String toString() {
        return name;
    }
}
