package dev.retina.engine.oracle;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Softmax on a 4-D input against ONNX Runtime. Before opset 13 the input is coerced to 2-D at {@code axis} (default 1)
 * and normalised over everything from {@code axis} on; from opset 13 it is normalised over the single {@code axis}
 * (default -1). The same axis therefore means different results in the two opsets, and both must match.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SoftmaxOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    private static OracleCase softmax(String name, int opset, float scale, AttributeProto... attrs) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("softmax", opset);
        g.input("x", 2, 3, 4, 5);
        g.node("Softmax", List.of("x"), "y", attrs);
        g.output("y");
        Tensor x = OracleHarness.normal(91, 2, 3, 4, 5);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] *= scale;
        }
        return OracleCase.of(String.format("Softmax %s (opset %d)", name, opset), g.build(), "x", x);
    }

    static Stream<OracleCase> cases() {
        return Stream.of(
                softmax("axis default", 9, 1),
                softmax("axis default", 11, 1),
                softmax("axis 0", 11, 1, Attr.i("axis", 0)),
                softmax("axis 1", 11, 1, Attr.i("axis", 1)),
                softmax("axis 2", 11, 1, Attr.i("axis", 2)),
                softmax("axis 3", 11, 1, Attr.i("axis", 3)),
                softmax("axis -1", 11, 1, Attr.i("axis", -1)),
                softmax("axis -3", 12, 1, Attr.i("axis", -3)),
                softmax("axis default", 13, 1),
                softmax("axis 0", 13, 1, Attr.i("axis", 0)),
                softmax("axis 1", 13, 1, Attr.i("axis", 1)),
                softmax("axis 2", 13, 1, Attr.i("axis", 2)),
                softmax("axis -2", 13, 1, Attr.i("axis", -2)),
                softmax("axis -1", 13, 1, Attr.i("axis", -1)),
                softmax("large logits (needs max subtraction)", 13, 60, Attr.i("axis", 1)),
                softmax("large logits (needs max subtraction)", 11, 60, Attr.i("axis", 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
