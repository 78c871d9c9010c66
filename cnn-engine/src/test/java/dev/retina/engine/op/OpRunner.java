package dev.retina.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.Model;
import dev.retina.engine.kernel.KernelProvider;
import dev.retina.engine.onnx.ImportLimits;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

/** Runs a one-input test model with both kernel sets and checks they agree with the expected values. */
final class OpRunner {

    private OpRunner() {
    }

    static Tensor run(byte[] model, Shape shape, float... input) {
        Tensor result = null;
        for (String kernels : new String[] {"scalar", "fast"}) {
            Model m = OnnxImporter.load(model, ImportLimits.defaults(), KernelProvider.byName(kernels));
            try (Engine engine = Engine.create(2); Session s = engine.newSession(m)) {
                Tensor y = s.run(Tensor.of(shape, input.clone()));
                if (result == null) {
                    result = y;
                } else {
                    assertThat(y.shape()).isEqualTo(result.shape());
                    for (int i = 0; i < y.data().length; i++) {
                        assertThat(y.data()[i]).as("fast vs scalar at %d", i).isCloseTo(result.data()[i], within(1e-5f));
                    }
                }
            }
        }
        return result;
    }

    static void assertValues(Tensor y, Shape shape, float... expected) {
        assertThat(y.shape()).isEqualTo(shape);
        assertThat(y.data()).containsExactly(expected, within(1e-5f));
    }

    static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }
}
