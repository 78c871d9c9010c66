package dev.retina.engine.oracle;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.OnnxTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Relu, LeakyRelu, Sigmoid and Clip (attribute form before opset 11, input form from 11) against ONNX Runtime. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ActivationOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    /** Inputs spread over [-9, 9] so that clipping bounds, the ReLU6 ceiling and the sigmoid tails all matter. */
    private static Tensor wideInput() {
        Tensor t = OracleHarness.normal(21, 2, 5, 7, 9);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] *= 4f;
        }
        return t;
    }

    private static OracleCase unary(String name, int opset, String op, AttributeProto... attrs) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create(op, opset);
        g.input("x", 2, 5, 7, 9);
        g.node(op, List.of("x"), "y", attrs);
        g.output("y");
        return OracleCase.of(name, g.build(), "x", wideInput());
    }

    /**
     * Clip with min and max as inputs (opset 11+). A null bound is left out: as an empty input name if a later input
     * follows, else by ending the input list. Bounds come from initializers or, when {@code constants}, Constant nodes.
     */
    private static OracleCase clipInputs(String name, int opset, Float min, Float max, boolean constants) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("clip", opset);
        g.input("x", 2, 5, 7, 9);
        String minName = min == null ? "" : scalar(g, "min", min, constants);
        String maxName = max == null ? "" : scalar(g, "max", max, constants);
        List<String> inputs = max == null
                ? (min == null ? List.of("x") : List.of("x", minName))
                : List.of("x", minName, maxName);
        g.node("Clip", inputs, "y");
        g.output("y");
        return OracleCase.of(name, g.build(), "x", wideInput());
    }

    private static String scalar(OnnxGraphBuilder g, String name, float value, boolean constant) {
        if (constant) {
            return g.node("Constant", List.of(), name + "_const",
                    Attr.tensor("value", OnnxTensors.floats(name, new float[] {value}, g.encoding())));
        }
        return g.floats(name, new float[] {value});
    }

    static Stream<OracleCase> cases() {
        return Stream.of(
                unary("Relu opset 13", 13, "Relu"),
                unary("Relu opset 9", 9, "Relu"),
                unary("LeakyRelu default alpha", 13, "LeakyRelu"),
                unary("LeakyRelu alpha 0.2", 9, "LeakyRelu", Attr.f("alpha", 0.2f)),
                unary("LeakyRelu alpha 1.5 opset 16", 16, "LeakyRelu", Attr.f("alpha", 1.5f)),
                unary("Sigmoid opset 13", 13, "Sigmoid"),
                unary("Sigmoid opset 9", 9, "Sigmoid"),
                unary("Clip-6 attributes min -1 max 1 (opset 9)", 9, "Clip", Attr.f("min", -1f), Attr.f("max", 1f)),
                unary("Clip-6 ReLU6 attributes (opset 10)", 10, "Clip", Attr.f("min", 0f), Attr.f("max", 6f)),
                unary("Clip-6 max only (opset 9)", 9, "Clip", Attr.f("max", 2.5f)),
                unary("Clip-6 min only (opset 10)", 10, "Clip", Attr.f("min", -0.5f)),
                unary("Clip-6 no attributes (opset 9)", 9, "Clip"),
                clipInputs("Clip-11 min and max initializers", 11, -1f, 1f, false),
                clipInputs("Clip-11 min only", 11, 0.25f, null, false),
                clipInputs("Clip-12 max only (empty min)", 12, null, 3f, false),
                clipInputs("Clip-13 ReLU6 from Constant nodes", 13, 0f, 6f, true),
                clipInputs("Clip-13 ReLU6 from initializers", 13, 0f, 6f, false),
                clipInputs("Clip-13 no bounds", 13, null, null, false),
                clipInputs("Clip-13 min equals max", 13, 0.5f, 0.5f, false),
                // ONNX's reference is numpy.clip: min(max(x, min), max), so every value becomes max.
                // (Clip-6 with min > max has no oracle: ONNX Runtime refuses such a node.)
                clipInputs("Clip-13 min greater than max", 13, 1f, -1f, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
