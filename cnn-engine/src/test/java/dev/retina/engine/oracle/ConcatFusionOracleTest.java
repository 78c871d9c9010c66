package dev.retina.engine.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.Step;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.testing.NetworkBuilder;
import dev.retina.engine.testing.OnnxGraphBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A channel Concat of convolutions compiled into one step that writes each convolution into its slice:
 * each graph is compared with ONNX Runtime (vector and scalar kernels, batch 2), and its plan is
 * checked for the joined steps it must, and must not, contain: no join when an input is not a
 * convolution's output, a convolution's output is also a graph output or has a second reader, the same
 * output is joined twice, a convolution carries a residual sum, or the axis is not the channels.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConcatFusionOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    /**
     * A case on input x [2, 16, 13, 13]: {@code body} adds nodes and returns the outputs; {@code joined}
     * is the number of convolutions each expected joined step runs, in plan order.
     */
    private static Arguments graph(String name, List<Integer> joined,
                                   BiFunction<NetworkBuilder, String, List<String>> body) {
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("concat", 13), 404);
        String x = net.graph().input("x", 2, 16, 13, 13);
        for (String out : body.apply(net, x)) {
            net.graph().output(out);
        }
        OracleCase c = OracleCase.of("Concat " + name, net.graph().build(), "x",
                OracleHarness.normal(405, 2, 16, 13, 13));
        return Arguments.of(c, joined);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                graph("fire module (1x1 and 3x3 expands of one squeeze)", List.of(2), (n, x) -> {
                    String s = n.relu(n.conv(x, 16, 8, 1, 1, 0, 1, true));
                    return List.of(n.concat(1, n.relu(n.conv(s, 8, 24, 1, 1, 0, 1, true)),
                            n.relu(n.conv(s, 8, 24, 3, 1, 1, 1, true))));
                }),
                graph("two fire modules in a row, axis -3", List.of(2, 2), (n, x) -> {
                    String a = n.concat(-3, n.relu(n.conv(x, 16, 20, 1, 1, 0, 1, true)),
                            n.relu(n.conv(x, 16, 12, 3, 1, 1, 1, true)));
                    return List.of(n.concat(1, n.relu(n.conv(a, 32, 16, 1, 1, 0, 1, true)),
                            n.conv(a, 32, 40, 3, 1, 1, 1, false)));
                }),
                graph("three branches on different inputs: strided, depthwise, batch-normalised", List.of(3),
                        (n, x) -> {
                            String y = n.relu(n.conv(x, 16, 32, 3, 1, 1, 1, true));
                            return List.of(n.concat(1, n.conv(x, 16, 8, 1, 1, 0, 1, true),
                                    n.relu6(n.conv(y, 32, 32, 3, 1, 1, 32, true)),
                                    n.relu(n.batchNorm(n.conv(x, 16, 48, 5, 1, 2, 1, false), 48))));
                        }),
                graph("an input that is no convolution's output", List.of(), (n, x) ->
                        List.of(n.concat(1, n.relu(n.conv(x, 16, 16, 3, 1, 1, 1, true)), x))),
                graph("a convolution's output also a graph output", List.of(), (n, x) -> {
                    String c = n.conv(x, 16, 16, 1, 1, 0, 1, true);
                    return List.of(c, n.concat(1, c, n.conv(x, 16, 8, 3, 1, 1, 1, true)));
                }),
                graph("a convolution's output read twice", List.of(), (n, x) -> {
                    String c = n.relu(n.conv(x, 16, 16, 1, 1, 0, 1, true));
                    return List.of(n.add(n.concat(1, c, n.conv(x, 16, 16, 3, 1, 1, 1, true)), n.concat(1, c, c)));
                }),
                graph("the same output joined twice", List.of(), (n, x) -> {
                    String c = n.relu(n.conv(x, 16, 16, 1, 1, 0, 1, true));
                    return List.of(n.concat(1, c, c));
                }),
                graph("a residual convolution", List.of(), (n, x) -> List.of(n.concat(1,
                        n.relu(n.add(n.conv(x, 16, 16, 3, 1, 1, 1, true), x)), n.conv(x, 16, 8, 1, 1, 0, 1, true)))),
                graph("along the height", List.of(), (n, x) -> List.of(n.concat(2,
                        n.conv(x, 16, 16, 3, 1, 1, 1, true), n.conv(x, 16, 16, 1, 1, 0, 1, true)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntimeAndJoinsWhereAllowed(OracleCase c, List<Integer> joined) {
        oracle.check(c.name(), c.model(), c.inputs());
        Model model = OnnxImporter.load(c.model());
        List<Step> steps = model.plan(2).steps();
        List<Integer> joinedSteps = steps.stream()
                .filter(s -> s.node().opType().equals("Concat") && s.node().name().contains("+"))
                .map(s -> s.inputIds().length)
                .toList();
        assertThat(joinedSteps).as("convolutions per joined Concat step").isEqualTo(joined);
        long convSteps = steps.stream().filter(s -> s.node().opType().equals("Conv")).count();
        long plainConcats = steps.stream()
                .filter(s -> s.node().opType().equals("Concat") && !s.node().name().contains("+")).count();
        if (!joined.isEmpty()) {
            assertThat(plainConcats).as("Concat steps left in the plan").isZero();
        } else {
            assertThat(plainConcats).as("Concat steps left in the plan").isPositive();
            assertThat(convSteps).as("Conv steps left in the plan").isPositive();
        }
    }
}
