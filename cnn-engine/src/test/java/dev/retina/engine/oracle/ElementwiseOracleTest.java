package dev.retina.engine.oracle;

import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.SeededRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

/** Add, Mul, Sub and Div with numpy broadcasting, operands as graph inputs or initializers, against ONNX Runtime. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ElementwiseOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    /** Shape pairs (A, B) covering equal shapes, trailing-dim, middle-dim, scalar, lower-rank and two-sided broadcasts. */
    private static final int[][][] SHAPES = {
        {{2, 3, 4, 5}, {2, 3, 4, 5}},
        {{2, 3, 4, 5}, {5}},
        {{2, 3, 4, 5}, {4, 1}},
        {{2, 3, 4, 5}, {1, 3, 1, 1}},
        {{2, 3, 4, 5}, {3, 1, 1}},
        {{2, 3, 4, 5}, {}},
        {{2, 3, 4, 5}, {1}},
        {{2, 1, 4, 1}, {1, 3, 1, 5}},
        {{5}, {2, 3, 4, 5}},
        {{3, 1, 1}, {2, 3, 4, 5}},
        {{1}, {2, 3}},
        {{4, 1}, {3}},
    };

    private static final String[] OPS = {"Add", "Mul", "Sub", "Div"};

    private static int count(int[] dims) {
        return Arrays.stream(dims).reduce(1, Math::multiplyExact);
    }

    /** Divisors and, for symmetry, every operand have magnitude in [0.5, 2): Div stays well conditioned. */
    private static OracleCase binary(String op, int[] a, int[] b, boolean bInitializer, int opset) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create(op, opset);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        g.input("a", a);
        inputs.put("a", OracleHarness.awayFromZero(71, 0.5, 2, a));
        String bName;
        if (bInitializer) {
            bName = g.floats("b", new SeededRandom(72).awayFromZero(count(b), 0.5, 2), b);
        } else {
            bName = g.input("b", b);
            inputs.put("b", OracleHarness.awayFromZero(73, 0.5, 2, b));
        }
        g.node(op, List.of("a", bName), "y");
        g.output("y");
        String name = String.format("%s %s %s %s (opset %d)", op, Arrays.toString(a), Arrays.toString(b),
                bInitializer ? "initializer" : "input", opset);
        return new OracleCase(name, g.build(), inputs);
    }

    static Stream<OracleCase> cases() {
        List<OracleCase> cases = new ArrayList<>();
        for (String op : OPS) {
            for (int[][] pair : SHAPES) {
                cases.add(binary(op, pair[0], pair[1], false, 13));
            }
            cases.add(binary(op, new int[] {2, 3, 4, 5}, new int[] {1, 3, 1, 1}, true, 13));
            cases.add(binary(op, new int[] {2, 3, 4, 5}, new int[] {}, true, 9));
            cases.add(binary(op, new int[] {1, 8, 6, 6}, new int[] {8, 1, 1}, true, 14));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }

    /** Operators whose operands are all initializers are folded at load; the folded value must equal ORT's. */
    @Test
    void constantSubgraphIsFoldedCorrectly() {
        SeededRandom random = new SeededRandom(74);
        OnnxGraphBuilder g = OnnxGraphBuilder.create("folded", 13);
        g.input("x", 2, 3, 4);
        String c1 = g.floats("c1", random.awayFromZero(12, 0.5, 2), 3, 4);
        String c2 = g.floats("c2", random.awayFromZero(4, 0.5, 2), 4);
        String folded = g.node("Div", List.of(g.node("Mul", List.of(c1, c2)), g.node("Sub", List.of(c2, c1))));
        g.node("Add", List.of("x", folded), "y");
        g.output("y");
        oracle.check("Add(x, Div(Mul(c1,c2), Sub(c2,c1))) folded", g.build(), "x",
                OracleHarness.normal(75, 2, 3, 4));
    }

    /** One input feeding both operands (x * x, x - x) exercises buffer aliasing in the engine's memory plan. */
    @Test
    void sameValueOnBothSides() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("square", 13);
        g.input("x", 2, 3, 4, 5);
        String sq = g.node("Mul", List.of("x", "x"));
        String zero = g.node("Sub", List.of("x", "x"));
        g.node("Add", List.of(sq, zero), "y");
        g.node("Div", List.of(sq, "x"), "z");
        g.output("y").output("z");
        oracle.check("x*x + (x-x), x*x/x", g.build(), "x", OracleHarness.awayFromZero(76, 0.5, 2, 2, 3, 4, 5));
    }
}
