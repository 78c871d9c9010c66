package dev.retina.engine.oracle;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.SeededRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Gemm (transA/transB/alpha/beta, every C broadcast shape) and MatMul (2-D, batched, broadcast, 1-D) against ORT. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GemmMatMulOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    private static final int M = 5;
    private static final int K = 7;
    private static final int N = 6;

    /**
     * Gemm with A a graph input and B (and C, if {@code cDims} is not null) initializers, as exported Linear layers
     * have them; {@code bAsInput} makes B a second graph input instead.
     */
    private static OracleCase gemm(String name, int opset, int m, int k, int n, boolean transA, boolean transB,
                                   int[] cDims, boolean bAsInput, AttributeProto... extra) {
        SeededRandom random = new SeededRandom(51);
        OnnxGraphBuilder g = OnnxGraphBuilder.create("gemm", opset);
        int[] aDims = transA ? new int[] {k, m} : new int[] {m, k};
        int[] bDims = transB ? new int[] {n, k} : new int[] {k, n};
        g.input("a", aDims);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("a", OracleHarness.normal(52, aDims));
        List<String> nodeInputs = new ArrayList<>(List.of("a"));
        if (bAsInput) {
            nodeInputs.add(g.input("b", bDims));
            inputs.put("b", OracleHarness.normal(53, bDims));
        } else {
            nodeInputs.add(g.floats("b", random.normal(k * n, 0, 1 / Math.sqrt(k)), bDims));
        }
        if (cDims != null) {
            int count = 1;
            for (int d : cDims) {
                count *= d;
            }
            nodeInputs.add(g.floats("c", random.normal(count, 0, 1), cDims));
        }
        List<AttributeProto> attrs = new ArrayList<>(List.of(extra));
        if (transA) {
            attrs.add(Attr.i("transA", 1));
        }
        if (transB) {
            attrs.add(Attr.i("transB", 1));
        }
        g.node("Gemm", nodeInputs, "y", attrs.toArray(AttributeProto[]::new));
        g.output("y");
        return new OracleCase("Gemm " + name, g.build(), inputs);
    }

    private static OracleCase gemm(String name, int opset, boolean transA, boolean transB, int[] cDims,
                                   AttributeProto... extra) {
        return gemm(name, opset, M, K, N, transA, transB, cDims, false, extra);
    }

    static Stream<OracleCase> gemmCases() {
        int[] vectorC = {N};
        return Stream.of(
                gemm("C [N]", 13, false, false, vectorC),
                gemm("transA", 13, true, false, vectorC),
                gemm("transB (Linear layout)", 13, false, true, vectorC),
                gemm("transA and transB", 13, true, true, vectorC),
                gemm("alpha 0.5 beta 2", 13, false, true, vectorC, Attr.f("alpha", 0.5f), Attr.f("beta", 2f)),
                gemm("beta 0", 13, false, false, new int[] {M, N}, Attr.f("beta", 0f)),
                gemm("C scalar", 13, false, false, new int[] {}),
                gemm("C [1]", 13, false, false, new int[] {1}),
                gemm("C [M,N]", 13, false, false, new int[] {M, N}, Attr.f("beta", -1.5f)),
                gemm("C [1,N]", 13, true, true, new int[] {1, N}),
                gemm("C [M,1]", 13, false, true, new int[] {M, 1}, Attr.f("alpha", 2f)),
                gemm("C [1,1]", 13, false, false, new int[] {1, 1}),
                gemm("no C (opset 11)", 11, false, true, null),
                gemm("no C alpha 3 (opset 13)", 13, true, false, null, Attr.f("alpha", 3f)),
                gemm("opset 9 with C", 9, false, true, vectorC),
                gemm("B as graph input", 13, M, K, N, false, false, vectorC, true),
                gemm("B as graph input transposed", 13, M, K, N, true, true, null, true),
                gemm("large K 300", 13, 9, 300, 70, false, true, new int[] {70}, false),
                gemm("M 1 (single image)", 13, 1, 512, 1000, false, true, new int[] {1000}, false),
                gemm("odd sizes 17x33x19", 13, 17, 33, 19, true, false, new int[] {17, 19}, false));
    }

    private static OracleCase matMul(String name, int[] aDims, int[] bDims, boolean bInitializer) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("matmul", 13);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        g.input("a", aDims);
        inputs.put("a", OracleHarness.normal(61, aDims));
        String b;
        if (bInitializer) {
            int count = 1;
            for (int d : bDims) {
                count *= d;
            }
            b = g.floats("b", new SeededRandom(62).normal(count, 0, 0.5), bDims);
        } else {
            b = g.input("b", bDims);
            inputs.put("b", OracleHarness.normal(63, bDims));
        }
        g.node("MatMul", List.of("a", b), "y");
        g.output("y");
        return new OracleCase("MatMul " + name, g.build(), inputs);
    }

    private static int[] d(int... dims) {
        return dims;
    }

    static Stream<OracleCase> matMulCases() {
        return Stream.of(
                matMul("[5,7] x [7,6] weight", d(5, 7), d(7, 6), true),
                matMul("[5,7] x [7,6] both inputs", d(5, 7), d(7, 6), false),
                matMul("[3,5,7] x [7,6] weight broadcast", d(3, 5, 7), d(7, 6), true),
                matMul("[3,5,7] x [3,7,6] batched", d(3, 5, 7), d(3, 7, 6), false),
                matMul("[2,1,5,7] x [3,7,6] broadcast batch", d(2, 1, 5, 7), d(3, 7, 6), false),
                matMul("[1,5,7] x [4,7,6] broadcast batch", d(1, 5, 7), d(4, 7, 6), false),
                matMul("[5,7] x [2,7,6] lower-rank A", d(5, 7), d(2, 7, 6), false),
                matMul("[7] x [7,6] 1-D A", d(7), d(7, 6), true),
                matMul("[5,7] x [7] 1-D B", d(5, 7), d(7), true),
                matMul("[2,3,5,7] x [7,4] Linear on 4-D", d(2, 3, 5, 7), d(7, 4), true),
                matMul("[33,129] x [129,65] odd sizes", d(33, 129), d(129, 65), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gemmCases")
    void gemmMatchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matMulCases")
    void matMulMatchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
