package dev.retina.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.retina.engine.graph.Model;
import dev.retina.engine.kernel.KernelProvider;
import dev.retina.engine.onnx.ImportLimits;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.onnx.TestModelBuilder;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whole small networks: both kernel sets agree, and both agree with ONNX Runtime. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndToEndTest {

    @Test
    void lenetMatchesOnnxRuntimeWithBothKernelSets() throws Exception {
        check(TestNets.lenet(), Shape.of(3, 1, 28, 28));
    }

    @Test
    void residualBlockMatchesOnnxRuntimeWithBothKernelSets() throws Exception {
        check(TestNets.residual(), Shape.of(2, 3, 20, 20));
    }

    private static void check(byte[] bytes, Shape inputShape) throws Exception {
        float[] x = TestModelBuilder.random(99, (int) inputShape.size(), 1f);
        float[] expected = onnxRuntime(bytes, x, inputShape);
        for (String kernels : new String[] {"scalar", "fast"}) {
            Model model = OnnxImporter.load(bytes, ImportLimits.defaults(), KernelProvider.byName(kernels));
            try (Engine engine = Engine.create(2); Session session = engine.newSession(model)) {
                Tensor y = session.run(Tensor.of(inputShape, x.clone()));
                assertThat(maxDiff(y.data(), expected)).as("%s kernels vs ONNX Runtime", kernels).isLessThan(1e-4f);
            }
        }
    }

    static float[] onnxRuntime(byte[] model, float[] x, Shape shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = new long[shape.rank()];
        for (int d = 0; d < dims.length; d++) {
            dims[d] = shape.dim(d);
        }
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    static float maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float max = 0f;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
