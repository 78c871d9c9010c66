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

/** MaxPool, AveragePool and GlobalAveragePool against ONNX Runtime over their attributes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    private static OracleCase pool(String name, String op, int opset, int[] dims, AttributeProto... attrs) {
        return pool(name, op, opset, OracleHarness.normal(31, dims), attrs);
    }

    private static OracleCase pool(String name, String op, int opset, Tensor input, AttributeProto... attrs) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create(op, opset);
        g.input("x", input.shape().dims());
        g.node(op, List.of("x"), "y", attrs);
        g.output("y");
        return OracleCase.of(op + " " + name, g.build(), "x", input);
    }

    /** All values below -1: a max pool that lets padding count as 0 gives visibly wrong results. */
    private static Tensor negative(int... dims) {
        Tensor t = OracleHarness.normal(32, dims);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = -1 - Math.abs(d[i]);
        }
        return t;
    }

    private static int[] dims(int... d) {
        return d;
    }

    private static AttributeProto k(long h, long w) {
        return Attr.ints("kernel_shape", h, w);
    }

    private static AttributeProto s(long h, long w) {
        return Attr.ints("strides", h, w);
    }

    private static AttributeProto p(long... pads) {
        return Attr.ints("pads", pads);
    }

    static Stream<OracleCase> maxPoolCases() {
        String op = "MaxPool";
        return Stream.of(
                pool("2x2 stride 2", op, 13, dims(2, 3, 16, 16), k(2, 2), s(2, 2)),
                pool("3x3 stride 2 pads 1 (ResNet stem)", op, 13, dims(1, 4, 17, 17), k(3, 3), s(2, 2), p(1, 1, 1, 1)),
                pool("3x3 stride 2 ceil_mode (SqueezeNet)", op, 13, dims(1, 4, 14, 14), k(3, 3), s(2, 2),
                        Attr.i("ceil_mode", 1)),
                pool("3x3 stride 2 ceil_mode odd", op, 12, dims(1, 3, 15, 16), k(3, 3), s(2, 2), Attr.i("ceil_mode", 1)),
                pool("3x3 stride 2 ceil_mode pads 1", op, 11, dims(1, 3, 16, 13), k(3, 3), s(2, 2), p(1, 1, 1, 1),
                        Attr.i("ceil_mode", 1)),
                pool("ceil_mode off explicitly", op, 10, dims(1, 3, 14, 14), k(3, 3), s(2, 2), Attr.i("ceil_mode", 0)),
                pool("dilations 2", op, 12, dims(1, 3, 13, 14), k(2, 2), Attr.ints("dilations", 2, 2)),
                pool("dilations (2,3) stride 2 pads", op, 13, dims(1, 2, 17, 19), k(3, 2), s(2, 2),
                        Attr.ints("dilations", 2, 3), p(1, 1, 2, 0)),
                pool("dilations 2 ceil_mode", op, 12, dims(1, 2, 14, 15), k(3, 3), s(2, 2),
                        Attr.ints("dilations", 2, 2), Attr.i("ceil_mode", 1)),
                pool("asymmetric pads [0,1,1,0]", op, 13, dims(1, 3, 10, 11), k(3, 3), s(2, 2), p(0, 1, 1, 0)),
                pool("padding over negative inputs", op, 13, negative(1, 3, 9, 9), k(3, 3), s(1, 1), p(1, 1, 1, 1)),
                pool("padding over negative inputs ceil", op, 13, negative(1, 2, 8, 8), k(3, 3), s(2, 2), p(1, 1, 1, 1),
                        Attr.i("ceil_mode", 1)),
                pool("auto_pad SAME_UPPER stride 2 odd", op, 13, dims(1, 3, 15, 14), k(3, 3), s(2, 2),
                        Attr.s("auto_pad", "SAME_UPPER")),
                pool("auto_pad SAME_LOWER stride 2 odd", op, 13, dims(1, 3, 15, 14), k(3, 3), s(2, 2),
                        Attr.s("auto_pad", "SAME_LOWER")),
                pool("auto_pad SAME_UPPER even kernel", op, 13, negative(1, 3, 9, 8), k(2, 2),
                        Attr.s("auto_pad", "SAME_UPPER")),
                pool("auto_pad VALID", op, 13, dims(1, 3, 15, 14), k(3, 3), s(2, 2), Attr.s("auto_pad", "VALID")),
                pool("strides omitted", op, 13, dims(1, 3, 8, 9), k(3, 3)),
                pool("non-square 2x3 stride (2,1)", op, 13, dims(2, 3, 10, 11), k(2, 3), s(2, 1)),
                pool("storage_order 0", op, 13, dims(1, 3, 8, 8), k(2, 2), s(2, 2), Attr.i("storage_order", 0)),
                pool("opset 9 (MaxPool-8)", op, 9, dims(1, 3, 12, 12), k(3, 3), s(2, 2), p(1, 1, 1, 1)),
                pool("kernel equals input", op, 13, dims(1, 5, 7, 7), k(7, 7)),
                pool("1x1 stride 2", op, 13, dims(1, 3, 9, 9), k(1, 1), s(2, 2)));
    }

    static Stream<OracleCase> averagePoolCases() {
        String op = "AveragePool";
        return Stream.of(
                pool("2x2 stride 2", op, 13, dims(2, 3, 16, 16), k(2, 2), s(2, 2)),
                pool("3x3 pads 1 count_include_pad 0", op, 13, dims(1, 3, 9, 10), k(3, 3), p(1, 1, 1, 1),
                        Attr.i("count_include_pad", 0)),
                pool("3x3 pads 1 count_include_pad 1", op, 13, dims(1, 3, 9, 10), k(3, 3), p(1, 1, 1, 1),
                        Attr.i("count_include_pad", 1)),
                pool("asymmetric pads count_include_pad 0", op, 13, dims(1, 3, 10, 9), k(3, 3), s(2, 2),
                        p(0, 2, 1, 0), Attr.i("count_include_pad", 0)),
                pool("asymmetric pads count_include_pad 1", op, 13, dims(1, 3, 10, 9), k(3, 3), s(2, 2),
                        p(0, 2, 1, 0), Attr.i("count_include_pad", 1)),
                pool("ceil_mode count_include_pad 0", op, 13, dims(1, 3, 16, 15), k(3, 3), s(2, 2),
                        Attr.i("ceil_mode", 1)),
                pool("ceil_mode count_include_pad 1", op, 13, dims(1, 3, 16, 15), k(3, 3), s(2, 2),
                        Attr.i("ceil_mode", 1), Attr.i("count_include_pad", 1)),
                pool("ceil_mode pads 1 count_include_pad 0", op, 12, dims(1, 3, 14, 15), k(3, 3), s(2, 2),
                        p(1, 1, 1, 1), Attr.i("ceil_mode", 1)),
                pool("ceil_mode pads 1 count_include_pad 1", op, 12, dims(1, 3, 14, 15), k(3, 3), s(2, 2),
                        p(1, 1, 1, 1), Attr.i("ceil_mode", 1), Attr.i("count_include_pad", 1)),
                pool("auto_pad SAME_UPPER", op, 13, dims(1, 3, 15, 14), k(3, 3), s(2, 2), Attr.s("auto_pad", "SAME_UPPER")),
                pool("auto_pad SAME_LOWER", op, 13, dims(1, 3, 15, 14), k(3, 3), s(2, 2), Attr.s("auto_pad", "SAME_LOWER")),
                pool("auto_pad SAME_UPPER count_include_pad 1", op, 13, dims(1, 3, 15, 14), k(3, 3), s(2, 2),
                        Attr.s("auto_pad", "SAME_UPPER"), Attr.i("count_include_pad", 1)),
                pool("auto_pad VALID", op, 13, dims(1, 3, 15, 14), k(3, 3), s(2, 2), Attr.s("auto_pad", "VALID")),
                pool("non-square 3x2", op, 13, dims(2, 4, 9, 8), k(3, 2), s(3, 2)),
                pool("opset 9 (AveragePool-7) count_include_pad 1", op, 9, dims(1, 3, 9, 9), k(3, 3), s(2, 2),
                        p(1, 1, 1, 1), Attr.i("count_include_pad", 1)),
                pool("7x7 global-like", op, 11, dims(1, 16, 7, 7), k(7, 7)));
    }

    static Stream<OracleCase> globalAveragePoolCases() {
        String op = "GlobalAveragePool";
        return Stream.of(
                pool("2x5x7x9", op, 13, dims(2, 5, 7, 9)),
                pool("1x64x1x1", op, 13, dims(1, 64, 1, 1)),
                pool("1x3x1x13", op, 9, dims(1, 3, 1, 13)),
                pool("1x1280x7x7", op, 13, dims(1, 1280, 7, 7)),
                pool("4x2x56x56", op, 13, dims(4, 2, 56, 56)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxPoolCases")
    void maxPoolMatchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("averagePoolCases")
    void averagePoolMatchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("globalAveragePoolCases")
    void globalAveragePoolMatchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
