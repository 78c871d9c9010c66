package dev.retina.engine.graph;

import static dev.retina.engine.onnx.TestModelBuilder.f;
import static dev.retina.engine.onnx.TestModelBuilder.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.kernel.Activation;
import dev.retina.engine.kernel.KernelProvider;
import dev.retina.engine.onnx.ImportLimits;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.onnx.TestModelBuilder;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Model metadata and the load-time rewrites (BatchNorm folding, activation fusion). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ModelTest {

    /** Conv -> BatchNorm -> Relu, the conv output optionally also a graph output (which blocks folding). */
    private static byte[] convBnRelu(boolean exposeConv) {
        TestModelBuilder b = new TestModelBuilder(13).input("x", -1, 2, 5, 5)
                .randomInitializer("w", 1, 0.5f, 4, 2, 3, 3)
                .floatDataInitializer("b", new float[] {0.1f, -0.2f, 0.3f, 0f}, 4)
                .randomInitializer("g", 2, 1f, 4).randomInitializer("beta", 3, 0.5f, 4)
                .randomInitializer("mu", 4, 0.5f, 4).initializer("var", new float[] {0.5f, 1f, 2f, 0.25f}, 4);
        b.node("Conv", new String[] {"x", "w", "b"}, new String[] {"c"}, ints("pads", 1, 1, 1, 1));
        b.node("BatchNormalization", new String[] {"c", "g", "beta", "mu", "var"}, new String[] {"n"},
                f("epsilon", 1e-4f));
        b.node("Relu", "n", "y");
        b.output("y");
        if (exposeConv) {
            b.output("c");
        }
        return b.build();
    }

    @Test
    void metadataDescribesTheOriginalFile() {
        Model m = OnnxImporter.load(convBnRelu(false));
        assertThat(m.inputs()).containsExactly(new ValueInfo("x", Shape.of(-1, 2, 5, 5)));
        assertThat(m.outputs()).containsExactly(new ValueInfo("y", Shape.of(-1, 4, 5, 5)));
        assertThat(m.operatorCounts()).containsExactlyEntriesOf(
                new java.util.TreeMap<>(Map.of("BatchNormalization", 1, "Conv", 1, "Relu", 1)));
        assertThat(m.parameterCount()).isEqualTo(4 * 2 * 9 + 4 + 4 * 4);
        assertThat(m.macsPerImage()).isEqualTo(4L * 5 * 5 * 2 * 9);
        assertThat(m.opsetVersion()).isEqualTo(13);
    }

    @Test
    void batchNormIsFoldedAndReluFusedIntoTheConv() {
        Model m = OnnxImporter.load(convBnRelu(false));
        List<Step> steps = m.plan(1).steps();
        assertThat(steps).hasSize(1);
        assertThat(steps.get(0).node().opType()).isEqualTo("Conv");
        assertThat(steps.get(0).node().fused()).isEqualTo(Activation.RELU);
    }

    @Test
    void foldedAndUnfoldedGraphsComputeTheSame() {
        Model folded = OnnxImporter.load(convBnRelu(false), ImportLimits.defaults(), KernelProvider.byName("scalar"));
        Model unfolded = OnnxImporter.load(convBnRelu(true), ImportLimits.defaults(), KernelProvider.byName("scalar"));
        assertThat(unfolded.plan(1).steps()).extracting(s -> s.node().opType())
                .containsExactly("Conv", "BatchNormalization");
        Shape shape = Shape.of(2, 2, 5, 5);
        Tensor x = Tensor.of(shape, TestModelBuilder.random(5, (int) shape.size(), 1f));
        try (Engine engine = Engine.create(1); Session a = engine.newSession(folded);
             Session b = engine.newSession(unfolded)) {
            float[] ya = a.run(x).data();
            Map<String, Tensor> outs = b.run(Map.of("x", x));
            assertThat(outs).containsOnlyKeys("y", "c");
            assertThat(ya).containsExactly(outs.get("y").data(), within(1e-5f));
        }
    }

    @Test
    void plansForOtherBatchSizesShareThePreparedWeights() {
        Model m = OnnxImporter.load(convBnRelu(false));
        Step one = m.plan(1).steps().get(0);
        Step three = m.plan(3).steps().get(0);
        assertThat(m.plan(3).shapes()[three.outputIds()[0]]).isEqualTo(Shape.of(3, 4, 5, 5));
        assertThat(one.op()).isNotSameAs(three.op());
        assertThat(m.plan(3)).isSameAs(m.plan(3));
    }
}
