package dev.retina.engine.oracle;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.NetworkBuilder;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.SeededRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Operators on an input with a dynamic batch dimension, including those that mix the batch axis with others
 * (Softmax or Flatten over axis 0, Transpose moving the batch, Reshape folding it, Concat along it, MatMul reducing
 * over it). An engine that splits work across the batch, or plans buffers per batch size, must still get these right.
 * Each model is run with batch 3 and batch 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DynamicBatchOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    private static final int[] DIMS = {3, 4, 5};

    /** Input x [batch, 3, 4, 5]; {@code body} returns the value to expose as output y. */
    private static List<OracleCase> batched(String name, int opset, BiFunction<NetworkBuilder, String, String> body) {
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("dynamic", opset), 151);
        String x = net.graph().input("x", -1, DIMS[0], DIMS[1], DIMS[2]);
        net.graph().node("Identity", List.of(body.apply(net, x)), "y");
        net.graph().output("y");
        byte[] model = net.graph().build();
        List<OracleCase> cases = new ArrayList<>();
        for (int batch : new int[] {3, 1}) {
            cases.add(OracleCase.of("Dynamic batch " + name + " (opset " + opset + ", batch " + batch + ")", model, "x",
                    OracleHarness.normal(152 + batch, batch, DIMS[0], DIMS[1], DIMS[2])));
        }
        return cases;
    }

    private static BiFunction<NetworkBuilder, String, String> op(String type, AttributeProto... attrs) {
        return (n, x) -> n.graph().node(type, List.of(x), attrs);
    }

    static Stream<OracleCase> cases() {
        List<OracleCase> all = new ArrayList<>();
        all.addAll(batched("Softmax axis 0", 13, op("Softmax", Attr.i("axis", 0))));
        all.addAll(batched("Softmax axis 0 (coerced 2-D)", 11, op("Softmax", Attr.i("axis", 0))));
        all.addAll(batched("Softmax axis 1 (coerced 2-D)", 11, op("Softmax", Attr.i("axis", 1))));
        all.addAll(batched("Flatten axis 0", 13, op("Flatten", Attr.i("axis", 0))));
        all.addAll(batched("Flatten axis 2", 13, op("Flatten", Attr.i("axis", 2))));
        all.addAll(batched("Transpose batch to the end", 13, op("Transpose", Attr.ints("perm", 1, 2, 3, 0))));
        all.addAll(batched("Transpose batch to axis 1", 13, op("Transpose", Attr.ints("perm", 1, 0, 2, 3))));
        all.addAll(batched("Reshape [-1, 20] folds batch into rows", 13, (n, x) -> n.reshape(x, -1, 20)));
        all.addAll(batched("Reshape [3, -1] moves batch into columns", 13, (n, x) -> n.reshape(x, 3, -1)));
        all.addAll(batched("Reshape [-1] to 1-D", 13, (n, x) -> n.reshape(x, -1)));
        all.addAll(batched("Shape pattern flatten", 13, (n, x) -> n.flattenByShape(x)));
        all.addAll(batched("Concat with itself on axis 0", 13, (n, x) -> n.concat(0, x, n.relu(x))));
        all.addAll(batched("Concat on axis 1", 13, (n, x) -> n.concat(1, x, x)));
        all.addAll(batched("Squeeze/Unsqueeze around batch", 13, (n, x) -> n.graph().node("Squeeze",
                List.of(n.unsqueeze(x, 0), n.graph().int64s("sq_axes", 0)))));
        all.addAll(batched("Add of [1,3,4,5] initializer", 13, (n, x) -> n.graph().node("Add", List.of(x,
                n.graph().floats("c", new SeededRandom(153).normal(60, 0, 1), 1, 3, 4, 5)))));
        all.addAll(batched("MatMul reducing over batch (x^T x)", 13, (n, x) -> {
            String rows = n.reshape(x, -1, 60);
            String t = n.graph().node("Transpose", List.of(rows), Attr.ints("perm", 1, 0));
            return n.graph().node("MatMul", List.of(t, rows));
        }));
        all.addAll(batched("Gemm transA over batch", 13, (n, x) -> {
            String rows = n.reshape(x, -1, 60);
            return n.graph().node("Gemm", List.of(rows, rows), Attr.i("transA", 1), Attr.f("alpha", 0.5f));
        }));
        all.addAll(batched("Conv then Softmax over batch", 13, (n, x) ->
                n.graph().node("Softmax", List.of(n.conv(x, 3, 4, 3, 1, 1, 1, true)), Attr.i("axis", 0))));
        all.addAll(batched("BatchNormalization then Flatten axis 0", 9, (n, x) ->
                n.graph().node("Flatten", List.of(n.batchNorm(x, 3)), Attr.i("axis", 0))));
        all.addAll(batched("GlobalAveragePool then Reshape [-1]", 13, (n, x) -> n.reshape(n.globalAveragePool(x), -1)));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
