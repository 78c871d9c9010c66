package dev.retina.engine.oracle;

import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.NetworkBuilder;
import dev.retina.engine.testing.OnnxGraphBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Small graphs aimed at the engine's load-time rewrites (BatchNormalization folded into Conv, activations fused into
 * Conv and Gemm), including the cases where a rewrite must not happen: an intermediate value that is also a graph
 * output or has a second consumer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FusionOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    /** A graph on input x [2, 8, 12, 12]; {@code body} adds nodes and returns the names to expose as outputs. */
    private static OracleCase graph(String name, int opset, BiFunction<NetworkBuilder, String, List<String>> body) {
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("fusion", opset), 101);
        String x = net.graph().input("x", 2, 8, 12, 12);
        List<String> outputs = body.apply(net, x);
        for (String out : outputs) {
            net.graph().output(out);
        }
        return OracleCase.of("Fusion " + name, net.graph().build(), "x", OracleHarness.normal(102, 2, 8, 12, 12));
    }

    static Stream<OracleCase> cases() {
        return Stream.of(
                graph("Conv+BN", 13, (n, x) -> List.of(n.batchNorm(n.conv(x, 8, 16, 3, 1, 1, 1, false), 16))),
                graph("Conv(bias)+BN+Relu", 13, (n, x) ->
                        List.of(n.relu(n.batchNorm(n.conv(x, 8, 16, 3, 2, 1, 1, true), 16)))),
                graph("depthwise Conv+BN+Clip (opset 9 ReLU6)", 9, (n, x) ->
                        List.of(n.relu6(n.batchNorm(n.conv(x, 8, 8, 3, 1, 1, 8, false), 8)))),
                graph("depthwise Conv+BN+Clip (opset 13 ReLU6)", 13, (n, x) ->
                        List.of(n.relu6(n.batchNorm(n.conv(x, 8, 8, 3, 2, 1, 8, false), 8)))),
                graph("Conv+LeakyRelu", 13, (n, x) -> List.of(n.graph().node("LeakyRelu",
                        List.of(n.conv(x, 8, 4, 3, 1, 1, 1, true)), Attr.f("alpha", 0.1f)))),
                graph("Conv+Sigmoid", 13, (n, x) ->
                        List.of(n.graph().node("Sigmoid", List.of(n.conv(x, 8, 4, 1, 1, 0, 1, true))))),
                graph("Conv output also a graph output", 13, (n, x) -> {
                    String c = n.conv(x, 8, 4, 3, 1, 1, 1, true);
                    return List.of(c, n.relu(c));
                }),
                graph("Conv output with two consumers", 13, (n, x) -> {
                    String c = n.conv(x, 8, 8, 3, 1, 1, 1, false);
                    return List.of(n.add(n.relu(c), n.batchNorm(c, 8)));
                }),
                graph("BN output also a graph output", 13, (n, x) -> {
                    String b = n.batchNorm(n.conv(x, 8, 8, 1, 1, 0, 1, false), 8);
                    return List.of(b, n.relu(b));
                }),
                graph("BN after Add (not foldable)", 13, (n, x) ->
                        List.of(n.relu(n.batchNorm(n.add(x, n.conv(x, 8, 8, 3, 1, 1, 1, true)), 8)))),
                graph("Gemm+Relu", 13, (n, x) -> List.of(n.relu(n.linear(n.flatten(n.globalAveragePool(x)), 8, 5)))),
                graph("Relu input is a graph input", 13, (n, x) -> List.of(n.relu(x), n.relu6(x))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
