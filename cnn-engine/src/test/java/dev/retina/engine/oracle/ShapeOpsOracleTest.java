package dev.retina.engine.oracle;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.NetworkBuilder;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.OnnxTensors;
import dev.retina.engine.testing.SeededRandom;
import dev.retina.engine.testing.TensorEncoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Layout and graph-plumbing operators against ONNX Runtime: Concat, Flatten, Reshape, Transpose, Squeeze, Unsqueeze,
 * Constant, Dropout, Identity, and the Shape/Gather/Unsqueeze/Concat/Reshape pattern PyTorch emits for
 * {@code x.view(x.size(0), -1)}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShapeOpsOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    private static final int[] X = {2, 3, 4, 5};

    /** A one-node model on input x of shape {@link #X}; {@code extraInputs} are appended after x. */
    private static OracleCase single(String name, int opset, String op, List<String> extraInputs,
                                     java.util.function.Consumer<OnnxGraphBuilder> initializers,
                                     AttributeProto... attrs) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create(op, opset);
        g.input("x", X);
        initializers.accept(g);
        List<String> inputs = new ArrayList<>(List.of("x"));
        inputs.addAll(extraInputs);
        g.node(op, inputs, "y", attrs);
        g.output("y");
        return OracleCase.of(op + " " + name, g.build(), "x", OracleHarness.normal(81, X));
    }

    private static OracleCase single(String name, int opset, String op, AttributeProto... attrs) {
        return single(name, opset, op, List.of(), g -> { }, attrs);
    }

    private static OracleCase concat(String name, int axis, int opset) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("concat", opset);
        int rank = 4;
        int a = axis < 0 ? axis + rank : axis;
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int[] dims = X.clone();
            dims[a] = i + 1;
            names.add(g.input("x" + i, dims));
            inputs.put("x" + i, OracleHarness.normal(82 + i, dims));
        }
        int[] constDims = X.clone();
        constDims[a] = 2;
        names.add(1, g.floats("c", new SeededRandom(85).normal(Arrays.stream(constDims).reduce(1, (p, q) -> p * q), 0, 1),
                constDims));
        g.node("Concat", names, "y", Attr.i("axis", axis));
        g.output("y");
        return new OracleCase("Concat " + name, g.build(), inputs);
    }

    static Stream<OracleCase> concatCases() {
        return Stream.of(
                concat("axis 0", 0, 13),
                concat("axis 1 (channels)", 1, 13),
                concat("axis 2", 2, 13),
                concat("axis 3", 3, 11),
                concat("axis -1", -1, 13),
                concat("axis -3", -3, 13),
                concat("axis 1 opset 9", 1, 9),
                single("single input", 13, "Concat", Attr.i("axis", 1)));
    }

    static Stream<OracleCase> flattenCases() {
        List<OracleCase> cases = new ArrayList<>();
        for (int axis = 0; axis <= 4; axis++) {
            cases.add(single("axis " + axis, 13, "Flatten", Attr.i("axis", axis)));
        }
        cases.add(single("axis -1", 13, "Flatten", Attr.i("axis", -1)));
        cases.add(single("axis -3", 11, "Flatten", Attr.i("axis", -3)));
        cases.add(single("axis default (1) opset 9", 9, "Flatten"));
        cases.add(single("axis 2 opset 9", 9, "Flatten", Attr.i("axis", 2)));
        return cases.stream();
    }

    private static OracleCase reshape(String name, int opset, long[] shape, AttributeProto... attrs) {
        return single(Arrays.toString(shape) + " " + name, opset, "Reshape", List.of("shape"),
                g -> g.int64s("shape", shape), attrs);
    }

    static Stream<OracleCase> reshapeCases() {
        return Stream.of(
                reshape("", 13, new long[] {0, -1}),
                reshape("", 13, new long[] {-1}),
                reshape("", 13, new long[] {2, -1, 5}),
                reshape("", 13, new long[] {0, 0, -1}),
                reshape("", 13, new long[] {6, -1}),
                reshape("", 13, new long[] {-1, 20}),
                reshape("", 13, new long[] {0, 3, 0, 5}),
                reshape("to rank 6", 13, new long[] {2, 1, 3, 2, 2, 5}),
                reshape("opset 5 form (opset 9)", 9, new long[] {0, -1}),
                reshape("allowzero 0 (opset 14)", 14, new long[] {0, 0, 20}, Attr.i("allowzero", 0)));
    }

    static Stream<OracleCase> transposeCases() {
        return Stream.of(
                single("perm [0,2,3,1] (NCHW to NHWC)", 13, "Transpose", Attr.ints("perm", 0, 2, 3, 1)),
                single("perm [0,3,1,2]", 13, "Transpose", Attr.ints("perm", 0, 3, 1, 2)),
                single("perm [3,1,0,2]", 13, "Transpose", Attr.ints("perm", 3, 1, 0, 2)),
                single("perm identity", 13, "Transpose", Attr.ints("perm", 0, 1, 2, 3)),
                single("perm omitted (reverse)", 13, "Transpose"),
                single("perm [1,0,2,3] opset 9", 9, "Transpose", Attr.ints("perm", 1, 0, 2, 3)));
    }

    /** Unsqueeze then Squeeze back, in the opset's form: axes attribute before 13, axes input from 13. */
    private static OracleCase squeezeUnsqueeze(String name, int opset, long[] unsqueezeAxes, long[] squeezeAxes) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("squeeze", opset);
        g.input("x", X);
        String u;
        String s;
        if (opset < 13) {
            u = g.node("Unsqueeze", List.of("x"), Attr.ints("axes", unsqueezeAxes));
            s = squeezeAxes == null ? g.node("Squeeze", List.of(u))
                    : g.node("Squeeze", List.of(u), Attr.ints("axes", squeezeAxes));
        } else {
            u = g.node("Unsqueeze", List.of("x", g.int64s("unsqueeze_axes", unsqueezeAxes)));
            s = squeezeAxes == null ? g.node("Squeeze", List.of(u))
                    : g.node("Squeeze", List.of(u, g.int64s("squeeze_axes", squeezeAxes)));
        }
        // Both the unsqueezed and the squeezed value are outputs, so the intermediate shape is checked too.
        g.node("Identity", List.of(u), "unsqueezed");
        g.node("Relu", List.of(s), "y");
        g.output("unsqueezed").output("y");
        return OracleCase.of("Squeeze/Unsqueeze " + name + " (opset " + opset + ")", g.build(), "x",
                OracleHarness.normal(86, X));
    }

    static Stream<OracleCase> squeezeCases() {
        return Stream.of(
                squeezeUnsqueeze("axes [0]", 11, new long[] {0}, new long[] {0}),
                squeezeUnsqueeze("axes [0]", 13, new long[] {0}, new long[] {0}),
                squeezeUnsqueeze("axes [0,3] squeeze [3]", 11, new long[] {0, 3}, new long[] {3}),
                squeezeUnsqueeze("axes [0,3] squeeze [3]", 13, new long[] {0, 3}, new long[] {3}),
                squeezeUnsqueeze("negative axes [-1] squeeze [-1]", 11, new long[] {-1}, new long[] {-1}),
                squeezeUnsqueeze("negative axes [-1,1] squeeze [1,-1]", 13, new long[] {-1, 1}, new long[] {1, -1}),
                squeezeUnsqueeze("squeeze without axes", 11, new long[] {2, 5}, null),
                squeezeUnsqueeze("squeeze without axes", 13, new long[] {2, 5}, null),
                squeezeUnsqueeze("axes [4] appended", 9, new long[] {4}, new long[] {4}));
    }

    /** {@code x.view(x.size(0), -1)} as PyTorch exports it, on a fixed or a dynamic batch, opset 11 and 13 forms. */
    private static OracleCase viewPattern(int opset, boolean dynamicBatch, TensorEncoding encoding) {
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("view", opset).encoding(encoding), 87);
        String x = net.graph().input("x", dynamicBatch ? -1 : 3, 4, 5, 6);
        net.graph().node("Identity", List.of(net.flattenByShape(net.relu(x))), "y");
        net.graph().output("y");
        return OracleCase.of(String.format("Shape-Gather-Unsqueeze-Concat-Reshape %s batch (opset %d, %s)",
                dynamicBatch ? "dynamic" : "static", opset, encoding), net.graph().build(), "x",
                OracleHarness.normal(88, 3, 4, 5, 6));
    }

    static Stream<OracleCase> shapePatternCases() {
        return Stream.of(
                viewPattern(11, false, TensorEncoding.RAW_DATA),
                viewPattern(11, true, TensorEncoding.TYPED_FIELD),
                viewPattern(13, false, TensorEncoding.TYPED_FIELD),
                viewPattern(13, true, TensorEncoding.RAW_DATA),
                viewPattern(9, true, TensorEncoding.RAW_DATA));
    }

    private static OracleCase constant(String name, int opset, AttributeProto value) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("constant", opset);
        g.input("x", 2, 3);
        String c = g.node("Constant", List.of(), value);
        g.node("Add", List.of("x", c), "y");
        g.output("y");
        return OracleCase.of("Constant " + name, g.build(), "x", OracleHarness.normal(89, 2, 3));
    }

    static Stream<OracleCase> constantCases() {
        float[] values = {0.5f, -1f, 2f, 3.25f, -4f, 5f};
        return Stream.of(
                constant("value tensor raw_data", 13,
                        Attr.tensor("value", OnnxTensors.floats("v", values, TensorEncoding.RAW_DATA, 2, 3))),
                constant("value tensor float_data (opset 9)", 9,
                        Attr.tensor("value", OnnxTensors.floats("v", values, TensorEncoding.TYPED_FIELD, 2, 3))),
                constant("value tensor [3] broadcast", 11,
                        Attr.tensor("value", OnnxTensors.floats("v", new float[] {1, 2, 3}, TensorEncoding.RAW_DATA, 3))),
                constant("value scalar tensor", 13,
                        Attr.tensor("value", OnnxTensors.floats("v", new float[] {7}, TensorEncoding.RAW_DATA))),
                constant("value_float (opset 12)", 12, Attr.f("value_float", 1.75f)),
                constant("value_floats (opset 13)", 13, Attr.floats("value_floats", 1f, -2f, 3f)));
    }

    /** Dropout in each opset's form (ratio attribute, ratio input, unused mask output) and Identity: pass-through. */
    static Stream<OracleCase> passThroughCases() {
        return Stream.of(
                single("default ratio (opset 9)", 9, "Dropout"),
                single("ratio attribute 0.3 (opset 10)", 10, "Dropout", Attr.f("ratio", 0.3f)),
                single("ratio input 0.5 (opset 12)", 12, "Dropout", List.of("ratio"),
                        g -> g.floats("ratio", new float[] {0.5f})),
                single("default ratio (opset 13)", 13, "Dropout"),
                dropoutWithMask(),
                single("(opset 13)", 13, "Identity"),
                single("(opset 9)", 9, "Identity"));
    }

    private static OracleCase dropoutWithMask() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("dropout", 13);
        g.input("x", X);
        List<String> out = g.nodeWithOutputs("Dropout", List.of("x"), List.of("d", "mask"));
        g.node("Relu", List.of(out.get(0)), "y");
        g.output("y");
        return OracleCase.of("Dropout with unused mask output (opset 13)", g.build(), "x", OracleHarness.normal(90, X));
    }

    /** A graph on x [batch, 6, 4, 5] with a dynamic batch; {@code body} returns the value exposed as y. */
    private static OracleCase exportIdiom(String name, int opset,
                                          java.util.function.BiFunction<NetworkBuilder, String, String> body) {
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("idiom", opset), 91);
        String x = net.graph().input("x", -1, 6, 4, 5);
        net.graph().node("Identity", List.of(body.apply(net, x)), "y");
        net.graph().output("y");
        return OracleCase.of(name + " (opset " + opset + ")", net.graph().build(), "x", OracleHarness.normal(92, 2, 6, 4, 5));
    }

    private static String constantInt64(OnnxGraphBuilder g, String name, long[] values, int... dims) {
        return g.node("Constant", List.of(), Attr.tensor("value", OnnxTensors.int64s(name, values, g.encoding(), dims)));
    }

    /** Further shapes of PyTorch's shape arithmetic and layout idioms. */
    static Stream<OracleCase> exportIdiomCases() {
        return Stream.of(
                exportIdiom("Reshape to Constant value_ints [0,-1]", 13, (n, x) -> n.graph().node("Reshape",
                        List.of(x, n.graph().node("Constant", List.of(), Attr.ints("value_ints", 0, -1))))),
                exportIdiom("Gather with 1-D index [0] then Concat", 13, (n, x) -> {
                    OnnxGraphBuilder g = n.graph();
                    String batch = g.node("Gather", List.of(g.node("Shape", List.of(x)),
                            constantInt64(g, "i", new long[] {0}, 1)), Attr.i("axis", 0));
                    return g.node("Reshape", List.of(x, g.node("Concat",
                            List.of(batch, constantInt64(g, "rest", new long[] {-1}, 1)), Attr.i("axis", 0))));
                }),
                exportIdiom("Gather with negative index -4 (the batch)", 13, (n, x) -> {
                    OnnxGraphBuilder g = n.graph();
                    String batch = g.node("Gather", List.of(g.node("Shape", List.of(x)),
                            constantInt64(g, "i", new long[] {-4})), Attr.i("axis", 0));
                    return g.node("Reshape", List.of(x, g.node("Concat",
                            List.of(n.unsqueeze(batch, 0), constantInt64(g, "rest", new long[] {-1}, 1)),
                            Attr.i("axis", 0))));
                }),
                exportIdiom("Shape-15 start 0 end 1 then Concat", 15, (n, x) -> {
                    OnnxGraphBuilder g = n.graph();
                    String batch = g.node("Shape", List.of(x), Attr.i("start", 0), Attr.i("end", 1));
                    return g.node("Reshape", List.of(x, g.node("Concat",
                            List.of(batch, constantInt64(g, "rest", new long[] {-1}, 1)), Attr.i("axis", 0))));
                }),
                exportIdiom("Shape-15 start -3 (trailing dims)", 15, (n, x) -> {
                    OnnxGraphBuilder g = n.graph();
                    String tail = g.node("Shape", List.of(x), Attr.i("start", -3));
                    return g.node("Reshape", List.of(x, g.node("Concat",
                            List.of(constantInt64(g, "lead", new long[] {-1}, 1), tail), Attr.i("axis", 0))));
                }),
                exportIdiom("Unsqueeze axes from a Constant node", 13, (n, x) -> n.graph().node("Unsqueeze",
                        List.of(x, constantInt64(n.graph(), "axes", new long[] {1}, 1)))),
                exportIdiom("GlobalAveragePool then Squeeze [2,3] then Gemm", 13, (n, x) -> n.linear(
                        n.graph().node("Squeeze", List.of(n.globalAveragePool(x), n.graph().int64s("axes", 2, 3))), 6, 4)),
                exportIdiom("GlobalAveragePool then Squeeze [2,3] (opset 11)", 11, (n, x) ->
                        n.graph().node("Squeeze", List.of(n.globalAveragePool(x)), Attr.ints("axes", 2, 3))),
                exportIdiom("channel shuffle via rank-5 Reshape/Transpose", 13, (n, x) -> {
                    OnnxGraphBuilder g = n.graph();
                    String grouped = n.reshape(x, 0, 2, 3, 4, 5);
                    String shuffled = g.node("Transpose", List.of(grouped), Attr.ints("perm", 0, 2, 1, 3, 4));
                    return n.reshape(shuffled, 0, -1, 4, 5);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"concatCases", "flattenCases", "reshapeCases", "transposeCases", "squeezeCases",
        "shapePatternCases", "constantCases", "passThroughCases", "exportIdiomCases"})
    void matchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
