package dev.retina.engine.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.Step;
import dev.retina.engine.kernel.Activation;
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
 * A residual block's {@code Add} (and its {@code Relu}) folded into the last convolution by the plan
 * compiler: each graph is compared with ONNX Runtime (vector and scalar kernels), and its compiled
 * plan is checked for the fused steps it must, and must not, contain: no fusion through a
 * broadcasting Add, a Conv output or sum that is also a graph output or has a second reader, a Conv
 * with its own activation, or a Clip after the Add.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ResidualFusionOracleTest {
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
     * A case on input x [2, 16, 13, 13]: {@code body} adds nodes and returns the outputs;
     * {@code fused} lists the activation of each expected Conv+Add step, in plan order.
     */
    private static Arguments graph(String name, List<Activation> fused,
                                   BiFunction<NetworkBuilder, String, List<String>> body) {
        NetworkBuilder net = new NetworkBuilder(OnnxGraphBuilder.create("residual", 13), 303);
        String x = net.graph().input("x", 2, 16, 13, 13);
        for (String out : body.apply(net, x)) {
            net.graph().output(out);
        }
        OracleCase c = OracleCase.of("Residual " + name, net.graph().build(), "x",
                OracleHarness.normal(304, 2, 16, 13, 13));
        return Arguments.of(c, fused);
    }

    static Stream<Arguments> cases() {
        List<Activation> relu = List.of(Activation.RELU);
        List<Activation> none = List.of(Activation.NONE);
        return Stream.of(
                graph("basic block, Conv on the left", relu, (n, x) -> List.of(n.relu(n.add(
                        n.batchNorm(n.conv(n.relu(n.batchNorm(n.conv(x, 16, 16, 3, 1, 1, 1, false), 16)), 16, 16, 3,
                                1, 1, 1, false), 16), x)))),
                graph("basic block, Conv on the right", relu, (n, x) ->
                        List.of(n.relu(n.add(x, n.batchNorm(n.conv(x, 16, 16, 3, 1, 1, 1, false), 16))))),
                graph("downsampling block (strided 3x3 and 1x1 branches)", relu, (n, x) -> {
                    String main = n.batchNorm(n.conv(x, 16, 24, 3, 2, 1, 1, false), 24);
                    String down = n.batchNorm(n.conv(x, 16, 24, 1, 2, 0, 1, false), 24);
                    return List.of(n.relu(n.add(main, down)));
                }),
                graph("pointwise projection plus input, no activation", none, (n, x) ->
                        List.of(n.add(n.conv(x, 16, 16, 1, 1, 0, 1, true), x))),
                graph("two blocks in a row", List.of(Activation.RELU, Activation.RELU), (n, x) -> {
                    String y = n.relu(n.add(n.conv(x, 16, 16, 3, 1, 1, 1, true), x));
                    return List.of(n.relu(n.add(n.conv(y, 16, 16, 3, 1, 1, 1, true), y)));
                }),
                graph("broadcasting Add is not fused", List.of(), (n, x) ->
                        List.of(n.relu(n.add(n.conv(x, 16, 16, 3, 1, 1, 1, true), n.globalAveragePool(x))))),
                graph("Conv output also a graph output", List.of(), (n, x) -> {
                    String c = n.conv(x, 16, 16, 3, 1, 1, 1, true);
                    return List.of(c, n.relu(n.add(c, x)));
                }),
                graph("Conv output read twice", List.of(), (n, x) -> {
                    String c = n.conv(x, 16, 16, 3, 1, 1, 1, true);
                    return List.of(n.add(n.relu(n.add(c, x)), c));
                }),
                graph("Conv with its own Relu", List.of(), (n, x) ->
                        List.of(n.add(n.relu(n.conv(x, 16, 16, 3, 1, 1, 1, true)), x))),
                graph("sum also a graph output keeps its Relu apart", none, (n, x) -> {
                    String s = n.add(n.conv(x, 16, 16, 3, 1, 1, 1, true), x);
                    return List.of(s, n.relu(s));
                }),
                graph("Clip after the Add stays a separate step", none, (n, x) ->
                        List.of(n.relu6(n.add(n.conv(x, 16, 16, 3, 1, 1, 1, true), x)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntimeAndFusesWhereAllowed(OracleCase c, List<Activation> fused) {
        oracle.check(c.name(), c.model(), c.inputs());
        Model model = OnnxImporter.load(c.model());
        List<Step> steps = model.plan(2).steps();
        List<Activation> residualSteps = steps.stream()
                .filter(s -> s.node().opType().equals("Conv") && s.node().inputs().size() == 4)
                .map(s -> s.node().fused())
                .toList();
        assertThat(residualSteps).as("activations of the fused Conv+Add steps").isEqualTo(fused);
        long adds = steps.stream().filter(s -> s.node().opType().equals("Add")).count();
        long expectedAdds = c.name().contains("read twice") ? 2 : fused.isEmpty() ? 1 : 0;
        assertThat(adds).as("Add steps left in the plan").isEqualTo(expectedAdds);
    }
}
