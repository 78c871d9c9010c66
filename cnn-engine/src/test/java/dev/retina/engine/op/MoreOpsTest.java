package dev.retina.engine.op;

import static dev.retina.engine.onnx.TestModelBuilder.f;
import static dev.retina.engine.onnx.TestModelBuilder.i;
import static dev.retina.engine.onnx.TestModelBuilder.ints;
import static dev.retina.engine.onnx.TestModelBuilder.s;
import static dev.retina.engine.op.OpRunner.assertValues;
import static dev.retina.engine.op.OpRunner.iota;
import static dev.retina.engine.op.OpRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.Model;
import dev.retina.engine.kernel.Activation;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.onnx.TestModelBuilder;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Less common attribute combinations and fused forms, computed by hand. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MoreOpsTest {

    @Test
    void averagePoolCeilModeCountsOnlyTheInputInPartialWindows() {
        // 3x3 [0..8], kernel 2, stride 2, ceil: windows (0,0) {0,1,3,4}, (0,1) {2,5}, (1,0) {6,7}, (1,1) {8}.
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .node("AveragePool", "x", "y", ints("kernel_shape", 2, 2), ints("strides", 2, 2), i("ceil_mode", 1))
                .output("y").build();
        assertValues(run(m, Shape.of(1, 1, 3, 3), iota(9)), Shape.of(1, 1, 2, 2), 2, 3.5f, 6.5f, 8);
    }

    @Test
    void maxPoolWithPadsDilationAndSameUpper() {
        // 4x4 [0..15], kernel 2, dilation 2, stride 1, pads 1: out = (4 + 2 - 2 - 1) + 1 = 4.
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 4, 4)
                .node("MaxPool", "x", "y", ints("kernel_shape", 2, 2), ints("dilations", 2, 2),
                        ints("pads", 1, 1, 1, 1)).output("y").build();
        // Window (oh, ow) reads rows oh-1, oh+1 and cols ow-1, ow+1: max is x(min(oh+1,3), min(ow+1,3)) where valid.
        assertValues(run(m, Shape.of(1, 1, 4, 4), iota(16)), Shape.of(1, 1, 4, 4),
                5, 6, 7, 6, 9, 10, 11, 10, 13, 14, 15, 14, 9, 10, 11, 10);
        // SAME_UPPER, kernel 3, stride 2 on 4: out 2, total pad 1 at the end.
        byte[] same = new TestModelBuilder(13).input("x", 1, 1, 4, 4)
                .node("MaxPool", "x", "y", ints("kernel_shape", 3, 3), ints("strides", 2, 2), s("auto_pad", "SAME_UPPER"))
                .output("y").build();
        assertValues(run(same, Shape.of(1, 1, 4, 4), iota(16)), Shape.of(1, 1, 2, 2), 10, 11, 14, 15);
    }

    @Test
    void stridedSameConvKeepsCeilOfInputOverStride() {
        // 5x5 ones input, 3x3 ones kernel, stride 2, SAME_UPPER: out 3x3, pad total 2 -> 1 each side.
        float[] ones = new float[25];
        java.util.Arrays.fill(ones, 1f);
        float[] w = new float[9];
        java.util.Arrays.fill(w, 1f);
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 5, 5).initializer("w", w, 1, 1, 3, 3)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}, ints("strides", 2, 2),
                        s("auto_pad", "SAME_UPPER")).output("y").build();
        assertValues(run(m, Shape.of(1, 1, 5, 5), ones), Shape.of(1, 1, 3, 3), 4, 6, 4, 6, 9, 6, 4, 6, 4);
    }

    @Test
    void relu6AndLeakyReluAreFusedIntoConvAndGemm() {
        // Conv 1x1 weight 4 then Clip(0, 6); Gemm weight -1 then LeakyRelu(0.5).
        TestModelBuilder b = new TestModelBuilder(13).input("x", 1, 1, 1, 3)
                .initializer("w", new float[] {4}, 1, 1, 1, 1)
                .initializer("lo", new float[] {0}, new int[0]).initializer("hi", new float[] {6}, new int[0])
                .initializer("g", new float[] {-1, 0, 0, 0, -1, 0, 0, 0, -1}, 3, 3);
        b.node("Conv", new String[] {"x", "w"}, new String[] {"c"});
        b.node("Clip", new String[] {"c", "lo", "hi"}, new String[] {"r"});
        b.node("Flatten", "r", "fl");
        b.node("Gemm", new String[] {"fl", "g"}, new String[] {"h"});
        b.node("LeakyRelu", "h", "y", f("alpha", 0.5f));
        byte[] bytes = b.output("y").build();
        // x = [-1, 1, 2]: conv 4x = [-4, 4, 8], ReLU6 [0, 4, 6], gemm -[0, 4, 6], leaky [0, -2, -3].
        assertValues(run(bytes, Shape.of(1, 1, 1, 3), -1, 1, 2), Shape.of(1, 3), 0, -2, -3);
        Model model = OnnxImporter.load(bytes);
        // Flatten is a view of the Conv output, not a step.
        assertThat(model.plan(1).steps()).extracting(st -> st.node().opType()).containsExactly("Conv", "Gemm");
        assertThat(model.plan(1).steps().get(0).node().fused()).isEqualTo(Activation.clip(0, 6));
        assertThat(model.plan(1).steps().get(1).node().fused()).isEqualTo(Activation.leakyRelu(0.5f));
    }

    @Test
    void gemmWithRunTimeOperandsAndMatrixC() {
        // A [2,3] = [[0,1,2],[3,4,5]] (input), B = A^T via transB on the same input; C [2,2] = [[1,2],[3,4]].
        byte[] m = new TestModelBuilder(13).input("a", 2, 3).initializer("c", new float[] {1, 2, 3, 4}, 2, 2)
                .node("Gemm", new String[] {"a", "a", "c"}, new String[] {"y"}, i("transB", 1)).output("y").build();
        // A A^T = [[5, 14], [14, 50]] + C.
        assertValues(run(m, Shape.of(2, 3), iota(6)), Shape.of(2, 2), 6, 16, 17, 54);
    }

    @Test
    void matMulWithVectorsAndTwoRunTimeInputs() {
        // x [3] . B [3,2] -> [2]; then [2] . [2] via MatMul of two run-time values -> scalar.
        byte[] m = new TestModelBuilder(13).input("x", 3).initializer("b", new float[] {1, 0, 0, 1, 1, 1}, 3, 2)
                .node("MatMul", new String[] {"x", "b"}, new String[] {"v"})
                .node("MatMul", new String[] {"v", "v"}, new String[] {"y"}).output("y").build();
        // x = [1, 2, 3]: v = [1 + 3, 2 + 3] = [4, 5]; v.v = 41.
        assertValues(run(m, Shape.of(3), 1, 2, 3), Shape.scalar(), 41);
    }

    @Test
    void unfoldedBatchNormWithFusedRelu() {
        // BN after an Add (not a Conv) stays a BN node and takes the Relu into its epilogue.
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 1, 2).initializer("z", new float[] {0}, new int[0])
                .initializer("s", new float[] {2}, 1).initializer("b", new float[] {-1}, 1)
                .initializer("mu", new float[] {0}, 1).initializer("v", new float[] {1 - 1e-5f}, 1)
                .node("Add", new String[] {"x", "z"}, new String[] {"a"})
                .node("BatchNormalization", new String[] {"a", "s", "b", "mu", "v"}, new String[] {"n"})
                .node("Relu", "n", "y").output("y").build();
        // 2x - 1 then Relu: x = [0, 3] -> [0, 5].
        assertValues(run(m, Shape.of(1, 1, 1, 2), 0, 3), Shape.of(1, 1, 1, 2), 0, 5);
        assertThat(OnnxImporter.load(m).plan(1).steps()).hasSize(2);
    }

    @Test
    void multipleInputsAndOutputs() {
        byte[] m = new TestModelBuilder(13).input("a", -1, 2).input("b", -1, 2)
                .node("Add", new String[] {"a", "b"}, new String[] {"sum"})
                .node("Mul", new String[] {"a", "b"}, new String[] {"prod"}).output("sum").output("prod").build();
        try (Engine engine = Engine.create(2); Session s = engine.newSession(OnnxImporter.load(m))) {
            Map<String, Tensor> out = s.run(Map.of("a", Tensor.of(Shape.of(2, 2), new float[] {1, 2, 3, 4}),
                    "b", Tensor.of(Shape.of(2, 2), new float[] {5, 6, 7, 8})));
            assertThat(out.keySet()).containsExactly("sum", "prod");
            assertThat(out.get("sum").data()).containsExactly(6, 8, 10, 12);
            assertThat(out.get("prod").data()).containsExactly(5, 12, 21, 32);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.run(Map.of(
                    "a", Tensor.of(Shape.of(2, 2), new float[4]), "b", Tensor.of(Shape.of(3, 2), new float[6]))))
                    .hasMessageContaining("input 'b'");
        }
    }
}
