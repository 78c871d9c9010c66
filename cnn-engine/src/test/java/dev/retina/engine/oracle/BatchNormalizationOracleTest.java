package dev.retina.engine.oracle;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.SeededRandom;
import dev.retina.engine.testing.TensorEncoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Inference-mode BatchNormalization (standalone, not after a Conv) against ONNX Runtime, opsets 9 to 15, ranks 2-4. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchNormalizationOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    private static OracleCase bn(String name, int opset, TensorEncoding encoding, int[] dims, AttributeProto... attrs) {
        int c = dims[1];
        SeededRandom random = new SeededRandom(41);
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bn", opset).encoding(encoding);
        g.input("x", dims);
        g.node("BatchNormalization", List.of("x",
                g.floats("scale", random.uniform(c, -1.5, 1.5), c),
                g.floats("shift", random.normal(c, 0, 0.5), c),
                g.floats("mean", random.normal(c, 0, 0.5), c),
                g.floats("var", random.uniform(c, 0.01, 3), c)), "y", attrs);
        g.output("y");
        return OracleCase.of("BatchNormalization " + name, g.build(), "x", OracleHarness.normal(42, dims));
    }

    static Stream<OracleCase> cases() {
        TensorEncoding raw = TensorEncoding.RAW_DATA;
        TensorEncoding typed = TensorEncoding.TYPED_FIELD;
        return Stream.of(
                bn("opset 9 default epsilon", 9, raw, new int[] {2, 8, 5, 7}),
                bn("opset 9 epsilon 1e-3 typed", 9, typed, new int[] {2, 8, 5, 7}, Attr.f("epsilon", 1e-3f)),
                bn("opset 13 with momentum", 13, raw, new int[] {1, 16, 9, 9}, Attr.f("epsilon", 1e-5f),
                        Attr.f("momentum", 0.9f)),
                bn("opset 14 training_mode 0", 14, raw, new int[] {2, 6, 4, 3}, Attr.i("training_mode", 0)),
                bn("opset 15", 15, typed, new int[] {3, 5, 6, 7}, Attr.f("epsilon", 0.01f)),
                bn("rank 2 input (BatchNorm1d)", 13, raw, new int[] {4, 10}),
                bn("rank 3 input", 13, raw, new int[] {2, 6, 11}),
                bn("one channel", 13, raw, new int[] {2, 1, 5, 5}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
