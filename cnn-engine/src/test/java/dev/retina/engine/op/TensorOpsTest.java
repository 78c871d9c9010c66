package dev.retina.engine.op;

import static dev.retina.engine.onnx.TestModelBuilder.f;
import static dev.retina.engine.onnx.TestModelBuilder.i;
import static dev.retina.engine.onnx.TestModelBuilder.ints;
import static dev.retina.engine.onnx.TestModelBuilder.tensor;
import static dev.retina.engine.op.OpRunner.assertValues;
import static dev.retina.engine.op.OpRunner.iota;
import static dev.retina.engine.op.OpRunner.run;

import dev.retina.engine.onnx.TestModelBuilder;
import dev.retina.engine.tensor.Shape;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Elementwise, matrix and shape operators on tiny inputs with results computed by hand. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TensorOpsTest {

    @Test
    void addBroadcastsARowAndAColumn() {
        // x [2,3] = [[0,1,2],[3,4,5]] + row [10,20,30]; then * column [[1],[-1]].
        byte[] m = new TestModelBuilder(13).input("x", 2, 3)
                .initializer("row", new float[] {10, 20, 30}, 3).initializer("col", new float[] {1, -1}, 2, 1)
                .node("Add", new String[] {"x", "row"}, new String[] {"a"})
                .node("Mul", new String[] {"a", "col"}, new String[] {"y"}).output("y").build();
        assertValues(run(m, Shape.of(2, 3), iota(6)), Shape.of(2, 3), 10, 21, 32, -13, -24, -35);
    }

    @Test
    void subAndDivBroadcastToAHigherRank() {
        // x [2,1,2] - c [3,1] -> [2,3,2]; then / 2 (scalar).
        byte[] m = new TestModelBuilder(13).input("x", 2, 1, 2)
                .initializer("c", new float[] {0, 1, 2}, 3, 1).initializer("two", new float[] {2}, new int[0])
                .node("Sub", new String[] {"x", "c"}, new String[] {"d"})
                .node("Div", new String[] {"d", "two"}, new String[] {"y"}).output("y").build();
        assertValues(run(m, Shape.of(2, 1, 2), 0, 2, 4, 6), Shape.of(2, 3, 2),
                0, 1, -0.5f, 0.5f, -1, 0, 2, 3, 1.5f, 2.5f, 1, 2);
    }

    @Test
    void softmaxAxisSemanticsDependOnOpset() {
        // x [1,2,2] = [[[0,1],[2,3]]]. Opset 11, axis 1: one softmax over all four values.
        // Opset 13, axis 1: softmax over the middle axis, pairs (0,2) and (1,3).
        float e = (float) Math.E;
        float sum4 = 1 + e + e * e + e * e * e;
        byte[] legacy = new TestModelBuilder(11).input("x", 1, 2, 2).node("Softmax", "x", "y", i("axis", 1))
                .output("y").build();
        assertValues(run(legacy, Shape.of(1, 2, 2), iota(4)), Shape.of(1, 2, 2),
                1 / sum4, e / sum4, e * e / sum4, e * e * e / sum4);
        byte[] modern = new TestModelBuilder(13).input("x", 1, 2, 2).node("Softmax", "x", "y", i("axis", 1))
                .output("y").build();
        float lo = 1 / (1 + e * e);
        float hi = e * e / (1 + e * e);
        assertValues(run(modern, Shape.of(1, 2, 2), iota(4)), Shape.of(1, 2, 2), lo, lo, hi, hi);
        // Default axis: 1 before 13 (same as legacy above), -1 from 13: pairs (0,1) and (2,3).
        byte[] last = new TestModelBuilder(13).input("x", 1, 2, 2).node("Softmax", "x", "y").output("y").build();
        float a = 1 / (1 + e);
        float b = e / (1 + e);
        assertValues(run(last, Shape.of(1, 2, 2), iota(4)), Shape.of(1, 2, 2), a, b, a, b);
    }

    @Test
    void reshapeCopiesZeroAndInfersMinusOne() {
        byte[] m = new TestModelBuilder(14).input("x", 2, 3, 4).int64Initializer("s", new long[] {0, -1, 2}, 3)
                .node("Reshape", new String[] {"x", "s"}, new String[] {"y"}).output("y").build();
        assertValues(run(m, Shape.of(2, 3, 4), iota(24)), Shape.of(2, 6, 2), iota(24));
    }

    @Test
    void flattenTransposeAndConcat() {
        // x [1,2,3]: Flatten(axis 2) -> [2,3]; Transpose -> [3,2]; Concat with itself on axis -1 -> [3,4].
        byte[] m = new TestModelBuilder(13).input("x", 1, 2, 3)
                .node("Flatten", "x", "f", i("axis", 2))
                .node("Transpose", "f", "t")
                .node("Concat", new String[] {"t", "t"}, new String[] {"y"}, i("axis", -1)).output("y").build();
        assertValues(run(m, Shape.of(1, 2, 3), iota(6)), Shape.of(3, 4), 0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5);
    }

    @Test
    void gemmWithTransposesAlphaBetaAndBroadcastC() {
        // A^T with A [2,2] = [[0,1],[2,3]] -> [[0,2],[1,3]]; B [2,2] = [[1,2],[3,4]], transB -> [[1,3],[2,4]].
        // A'B' = [[4,8],[7,15]]; alpha 2, beta 0.5, C [2,1] = [[2],[4]] -> [[9,17],[16,32]].
        byte[] m = new TestModelBuilder(13).input("a", 2, 2)
                .initializer("b", new float[] {1, 2, 3, 4}, 2, 2).initializer("c", new float[] {2, 4}, 2, 1)
                .node("Gemm", new String[] {"a", "b", "c"}, new String[] {"y"}, i("transA", 1), i("transB", 1),
                        f("alpha", 2f), f("beta", 0.5f)).output("y").build();
        assertValues(run(m, Shape.of(2, 2), iota(4)), Shape.of(2, 2), 9, 17, 16, 32);
    }

    @Test
    void matMulBroadcastsBatches() {
        // x [2,1,2] batches [[0,1]], [[2,3]] times B [2,2] = [[1,2],[3,4]].
        byte[] m = new TestModelBuilder(13).input("x", 2, 1, 2).initializer("b", new float[] {1, 2, 3, 4}, 2, 2)
                .node("MatMul", new String[] {"x", "b"}, new String[] {"y"}).output("y").build();
        assertValues(run(m, Shape.of(2, 1, 2), iota(4)), Shape.of(2, 1, 2), 3, 4, 11, 16);
    }

    @Test
    void activations() {
        float[] x = {-2, -0.5f, 0, 3, 8};
        byte[] relu = new TestModelBuilder(13).input("x", 5).node("Relu", "x", "y").output("y").build();
        assertValues(run(relu, Shape.of(5), x), Shape.of(5), 0, 0, 0, 3, 8);
        byte[] leaky = new TestModelBuilder(13).input("x", 5).node("LeakyRelu", "x", "y", f("alpha", 0.5f)).output("y")
                .build();
        assertValues(run(leaky, Shape.of(5), x), Shape.of(5), -1, -0.25f, 0, 3, 8);
        byte[] clip6 = new TestModelBuilder(9).input("x", 5).node("Clip", "x", "y", f("min", 0f), f("max", 6f))
                .output("y").build();
        assertValues(run(clip6, Shape.of(5), x), Shape.of(5), 0, 0, 0, 3, 6);
        byte[] clip13 = new TestModelBuilder(13).input("x", 5).initializer("lo", new float[] {-1}, new int[0])
                .node("Clip", new String[] {"x", "lo", ""}, new String[] {"y"}).output("y").build();
        assertValues(run(clip13, Shape.of(5), x), Shape.of(5), -1, -0.5f, 0, 3, 8);
        // min > max: every value becomes max (ONNX: max applied after min).
        byte[] inverted = new TestModelBuilder(13).input("x", 5).initializer("lo", new float[] {2}, new int[0])
                .initializer("hi", new float[] {1}, new int[0])
                .node("Clip", new String[] {"x", "lo", "hi"}, new String[] {"y"}).output("y").build();
        assertValues(run(inverted, Shape.of(5), x), Shape.of(5), 1, 1, 1, 1, 1);
        byte[] sigmoid = new TestModelBuilder(13).input("x", 1).node("Sigmoid", "x", "y").output("y").build();
        assertValues(run(sigmoid, Shape.of(1), 0f), Shape.of(1), 0.5f);
    }

    @Test
    void identityDropoutAndConstant() {
        byte[] m = new TestModelBuilder(13).input("x", 2)
                .node("Constant", new String[0], new String[] {"k"},
                        tensor("value", TestModelBuilder.floatTensor("", new float[] {5, 7}, 2)))
                .node("Dropout", "x", "d", f("ratio", 0.5f))
                .node("Identity", "d", "e")
                .node("Add", new String[] {"e", "k"}, new String[] {"y"}).output("y").build();
        assertValues(run(m, Shape.of(2), 1, 2), Shape.of(2), 6, 9);
    }

    @Test
    void squeezeAndUnsqueezeWithAttributeAndInputAxes() {
        byte[] v11 = new TestModelBuilder(11).input("x", 1, 3)
                .node("Squeeze", "x", "s", ints("axes", 0)).node("Unsqueeze", "s", "y", ints("axes", 1, -1))
                .output("y").build();
        assertValues(run(v11, Shape.of(1, 3), 1, 2, 3), Shape.of(3, 1, 1), 1, 2, 3);
        byte[] v13 = new TestModelBuilder(13).input("x", 1, 3).int64Initializer("ax", new long[] {0}, 1)
                .node("Squeeze", new String[] {"x", "ax"}, new String[] {"s"})
                .node("Unsqueeze", new String[] {"s", "ax"}, new String[] {"y"}).output("y").build();
        assertValues(run(v13, Shape.of(1, 3), 1, 2, 3), Shape.of(1, 3), 1, 2, 3);
    }

    @Test
    void int64ShapeArithmeticFolds() {
        // Target [n, (2 * 3) / 2 * 2] from Shape(x) = [n, 2, 3]: Gather dims 1..2, Mul, Div, Mul, Concat.
        TestModelBuilder b = new TestModelBuilder(13).input("x", -1, 2, 3)
                .int64Initializer("i0", new long[] {0}, 1).int64Initializer("i1", new long[] {1}, 1)
                .int64Initializer("i2", new long[] {2}, 1).int64Initializer("two", new long[] {2}, 1);
        b.node("Shape", "x", "s");
        b.node("Gather", new String[] {"s", "i0"}, new String[] {"n"});
        b.node("Gather", new String[] {"s", "i1"}, new String[] {"h"});
        b.node("Gather", new String[] {"s", "i2"}, new String[] {"w"});
        b.node("Mul", new String[] {"h", "w"}, new String[] {"hw"});
        b.node("Div", new String[] {"hw", "two"}, new String[] {"half"});
        b.node("Mul", new String[] {"half", "two"}, new String[] {"all"});
        b.node("Concat", new String[] {"n", "all"}, new String[] {"target"}, i("axis", 0));
        b.node("Reshape", new String[] {"x", "target"}, new String[] {"y"});
        byte[] m = b.output("y").build();
        assertValues(run(m, Shape.of(2, 2, 3), iota(12)), Shape.of(2, 6), iota(12));
    }

    @Test
    void pytorchStyleShapeArithmeticFoldsForEveryBatchSize() {
        // y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): the usual flatten export.
        TestModelBuilder b = new TestModelBuilder(13).input("x", -1, 2, 2)
                .int64Initializer("zero", new long[] {0}, new int[0]).int64Initializer("ax", new long[] {0}, 1)
                .int64Initializer("rest", new long[] {-1}, 1);
        b.node("Shape", "x", "shp");
        b.node("Gather", new String[] {"shp", "zero"}, new String[] {"n"}, i("axis", 0));
        b.node("Unsqueeze", new String[] {"n", "ax"}, new String[] {"n1"});
        b.node("Concat", new String[] {"n1", "rest"}, new String[] {"target"}, i("axis", 0));
        b.node("Reshape", new String[] {"x", "target"}, new String[] {"y"});
        byte[] m = b.output("y").build();
        assertValues(run(m, Shape.of(1, 2, 2), iota(4)), Shape.of(1, 4), iota(4));
        assertValues(run(m, Shape.of(3, 2, 2), iota(12)), Shape.of(3, 4), iota(12));
    }
}
