package dev.retina.engine.oracle;

import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.NetworkBuilder;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.SeededRandom;
import dev.retina.engine.testing.TensorEncoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Graph forms real exporters produce, beyond single operators: initializers listed as graph inputs (IR 3), PyTorch's
 * value names, parameters shared through Identity nodes or by two consumers, dead nodes, several inputs and outputs,
 * and fan-out that stresses the engine's buffer reuse. Each compared with ONNX Runtime.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GraphFormOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    /** A small conv net: Conv+BN+Relu, MaxPool, Flatten, Gemm. Used with different graph forms. */
    private static byte[] smallNet(OnnxGraphBuilder g) {
        NetworkBuilder net = new NetworkBuilder(g, 121);
        String x = g.input("x", -1, 3, 12, 12);
        x = net.maxPool(net.relu(net.batchNorm(net.conv(x, 3, 8, 3, 1, 1, 1, true), 8)), 2, 2, 0, false);
        g.node("Gemm", List.of(net.flatten(x),
                g.floats("fc_w", net.random().he(10 * 288, 288), 10, 288),
                g.floats("fc_b", net.random().normal(10, 0, 0.1), 10)), "y", Attr.i("transB", 1));
        g.output("y", -1, 10);
        return g.build();
    }

    @Test
    void initializersListedAsInputsIr3() {
        byte[] model = smallNet(OnnxGraphBuilder.create("ir3", 9).irVersion(3).initializersAsInputs(true)
                .encoding(TensorEncoding.TYPED_FIELD));
        oracle.check("GraphForm initializers as inputs (IR 3, opset 9)", model, "x", OracleHarness.normal(122, 2, 3, 12, 12));
    }

    @Test
    void initializersListedAsInputsIr7() {
        byte[] model = smallNet(OnnxGraphBuilder.create("ir7", 11).irVersion(7).initializersAsInputs(true));
        oracle.check("GraphForm initializers as inputs (IR 7, opset 11)", model, "x", OracleHarness.normal(123, 1, 3, 12, 12));
    }

    @Test
    void pyTorchStyleValueNames() {
        SeededRandom random = new SeededRandom(124);
        OnnxGraphBuilder g = OnnxGraphBuilder.create("torch_names", 13);
        g.input("input.1", 1, 4, 6, 6);
        g.floats("features.0.weight", random.he(8 * 4 * 9, 36), 8, 4, 3, 3);
        g.floats("features.0.bias", random.normal(8, 0, 0.1), 8);
        g.node("Conv", List.of("input.1", "features.0.weight", "features.0.bias"), "/features/features.0/Conv_output_0",
                Attr.ints("kernel_shape", 3, 3), Attr.ints("pads", 1, 1, 1, 1));
        g.node("Relu", List.of("/features/features.0/Conv_output_0"), "onnx::Flatten_7");
        g.node("Flatten", List.of("onnx::Flatten_7"), "output.1", Attr.i("axis", 1));
        g.output("output.1");
        oracle.check("GraphForm PyTorch value names", g.build(), "input.1", OracleHarness.normal(125, 1, 4, 6, 6));
    }

    @Test
    void parametersSharedThroughIdentityNodes() {
        // PyTorch exports a parameter used twice as one initializer plus Identity nodes.
        SeededRandom random = new SeededRandom(126);
        OnnxGraphBuilder g = OnnxGraphBuilder.create("shared", 13);
        g.input("x", 1, 6, 9, 9);
        String w = g.floats("w", random.he(6 * 6 * 9, 54), 6, 6, 3, 3);
        String w1 = g.node("Identity", List.of(w));
        String w2 = g.node("Identity", List.of(w));
        String a = g.node("Relu", List.of(g.node("Conv", List.of("x", w1), Attr.ints("pads", 1, 1, 1, 1))));
        g.node("Conv", List.of(a, w2), "y", Attr.ints("pads", 1, 1, 1, 1));
        g.output("y");
        oracle.check("GraphForm weights shared via Identity", g.build(), "x", OracleHarness.normal(127, 1, 6, 9, 9));
    }

    @Test
    void weightSharedByTwoConvsOnlyOneFollowedByBatchNorm() {
        // Folding the BatchNormalization into its Conv must not change the weights the other Conv reads.
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("shared_bn", 13), 128);
        OnnxGraphBuilder g = net.graph();
        g.input("x", 1, 4, 8, 8);
        String w = g.floats("w", net.random().he(4 * 4 * 9, 36), 4, 4, 3, 3);
        String plain = g.node("Conv", List.of("x", w), "plain", Attr.ints("pads", 1, 1, 1, 1));
        String folded = net.relu(net.batchNorm(g.node("Conv", List.of("x", w), Attr.ints("pads", 1, 1, 1, 1)), 4));
        g.node("Add", List.of(plain, folded), "y");
        g.output("y").output("plain");
        oracle.check("GraphForm one weight, two Convs, one with BN", g.build(), "x", OracleHarness.normal(129, 1, 4, 8, 8));
    }

    @Test
    void deadNodesAndUnusedInitializersAreHarmless() {
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("dead", 13), 130);
        OnnxGraphBuilder g = net.graph();
        g.input("x", 1, 3, 8, 8);
        g.floats("unused", new float[] {1, 2, 3}, 3);
        String live = net.relu("x");
        net.conv(live, 3, 5, 3, 1, 1, 1, true);            // output never used
        g.node("Sigmoid", List.of(live), "y");
        g.output("y");
        oracle.check("GraphForm dead node and unused initializer", g.build(), "x", OracleHarness.normal(131, 1, 3, 8, 8));
    }

    @Test
    void twoInputsTwoOutputsInAnyOrder() {
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("multi", 13), 132);
        OnnxGraphBuilder g = net.graph();
        g.input("b", 2, 4, 5, 5);
        g.input("a", 2, 4, 5, 5);
        String sum = net.add("a", "b");
        g.node("Relu", List.of(sum), "second");
        g.node("Mul", List.of("a", net.conv("b", 4, 4, 3, 1, 1, 1, true)), "first");
        g.output("first").output("second");
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("a", OracleHarness.normal(133, 2, 4, 5, 5));
        inputs.put("b", OracleHarness.normal(134, 2, 4, 5, 5));
        oracle.check("GraphForm two inputs, two outputs", g.build(), inputs);
    }

    @Test
    void wideFanOutAndLateConsumers() {
        // One value read by five nodes, one of them at the very end: its buffer must not be reused early.
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("fanout", 13), 135);
        OnnxGraphBuilder g = net.graph();
        g.input("x", 1, 6, 10, 10);
        String stem = net.relu(net.conv("x", 6, 6, 3, 1, 1, 1, true));
        String b1 = net.conv(stem, 6, 6, 1, 1, 0, 1, true);
        String b2 = net.relu6(net.conv(stem, 6, 6, 3, 1, 1, 6, true));
        String b3 = net.maxPool(stem, 3, 1, 1, false);
        String b4 = g.node("Sigmoid", List.of(stem));
        String cat = net.concat(1, b1, b2, b3, b4);
        String mixed = net.conv(cat, 24, 6, 1, 1, 0, 1, false);
        g.node("Add", List.of(mixed, stem), "y");
        g.output("y");
        oracle.check("GraphForm fan-out of five with a late consumer", g.build(), "x", OracleHarness.normal(136, 1, 6, 10, 10));
    }

    @Test
    void defaultDomainSpelledAiOnnx() {
        // "ai.onnx" and "" name the same default operator set; some tools write the long form.
        OnnxGraphBuilder g = OnnxGraphBuilder.create("ai_onnx", 13);
        byte[] plain = smallNet(g);
        ai.onnx.proto.OnnxMl.ModelProto proto;
        try {
            proto = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(plain);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        ai.onnx.proto.OnnxMl.ModelProto.Builder b = proto.toBuilder();
        b.setOpsetImport(0, b.getOpsetImport(0).toBuilder().setDomain("ai.onnx"));
        ai.onnx.proto.OnnxMl.GraphProto.Builder graph = b.getGraphBuilder();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            graph.setNode(i, graph.getNode(i).toBuilder().setDomain("ai.onnx"));
        }
        oracle.check("GraphForm default domain written as ai.onnx", b.build().toByteArray(), "x",
                OracleHarness.normal(138, 1, 3, 12, 12));
    }

    @Test
    void graphInputPassedStraightToAnOutput() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("passthrough", 13);
        g.input("x", 2, 3);
        g.node("Identity", List.of("x"), "copy");
        g.node("Relu", List.of("x"), "y");
        g.output("copy").output("y");
        oracle.check("GraphForm Identity of the input as output", g.build(), "x", OracleHarness.normal(137, 2, 3));
    }
}
