package dev.retina.engine.oracle;

import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.SeededRandom;
import dev.retina.engine.testing.TensorEncoding;
import ai.onnx.proto.OnnxMl.AttributeProto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Conv against ONNX Runtime over its attributes: group/depthwise, strides, pads, dilations, auto_pad, bias. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConvOracleTest {
    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    /** One Conv configuration; fields left null are attributes the node omits (ONNX defaults apply). */
    static final class Case {
        final String name;
        int batch = 1;
        int channels = 3;
        int height = 16;
        int width = 16;
        int outChannels = 8;
        int kernelH = 3;
        int kernelW = 3;
        Integer group;
        long[] strides;
        long[] pads;
        long[] dilations;
        String autoPad;
        boolean bias = true;
        boolean kernelShapeAttribute = true;
        boolean dynamicBatch;
        int opset = 13;
        TensorEncoding encoding = TensorEncoding.RAW_DATA;

        Case(String name) {
            this.name = name;
        }

        Case input(int n, int c, int h, int w) {
            batch = n;
            channels = c;
            height = h;
            width = w;
            return this;
        }

        Case out(int m) {
            outChannels = m;
            return this;
        }

        Case kernel(int kh, int kw) {
            kernelH = kh;
            kernelW = kw;
            return this;
        }

        Case group(int g) {
            group = g;
            return this;
        }

        Case strides(long... s) {
            strides = s;
            return this;
        }

        Case pads(long... p) {
            pads = p;
            return this;
        }

        Case dilations(long... d) {
            dilations = d;
            return this;
        }

        Case autoPad(String a) {
            autoPad = a;
            return this;
        }

        Case noBias() {
            bias = false;
            return this;
        }

        Case noKernelShape() {
            kernelShapeAttribute = false;
            return this;
        }

        Case dynamicBatch() {
            dynamicBatch = true;
            return this;
        }

        Case opset(int v) {
            opset = v;
            return this;
        }

        Case typedField() {
            encoding = TensorEncoding.TYPED_FIELD;
            return this;
        }

        byte[] model(long seed) {
            OnnxGraphBuilder g = OnnxGraphBuilder.create("conv", opset).encoding(encoding);
            SeededRandom random = new SeededRandom(seed);
            g.input("x", dynamicBatch ? -1 : batch, channels, height, width);
            int groups = group == null ? 1 : group;
            int fanIn = channels / groups * kernelH * kernelW;
            List<String> inputs = new ArrayList<>(List.of("x",
                    g.floats("w", random.he(outChannels * fanIn, fanIn), outChannels, channels / groups, kernelH, kernelW)));
            if (bias) {
                inputs.add(g.floats("b", random.normal(outChannels, 0, 0.5), outChannels));
            }
            List<AttributeProto> attrs = new ArrayList<>();
            if (kernelShapeAttribute) {
                attrs.add(Attr.ints("kernel_shape", kernelH, kernelW));
            }
            if (group != null) {
                attrs.add(Attr.i("group", group));
            }
            if (strides != null) {
                attrs.add(Attr.ints("strides", strides));
            }
            if (pads != null) {
                attrs.add(Attr.ints("pads", pads));
            }
            if (dilations != null) {
                attrs.add(Attr.ints("dilations", dilations));
            }
            if (autoPad != null) {
                attrs.add(Attr.s("auto_pad", autoPad));
            }
            g.node("Conv", inputs, "y", attrs.toArray(AttributeProto[]::new));
            g.output("y");
            return g.build();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("3x3 pads 1 with bias").pads(1, 1, 1, 1),
                new Case("3x3 no pads no bias").noBias(),
                new Case("stride 2 odd 15x13").input(1, 3, 15, 13).strides(2, 2).pads(1, 1, 1, 1),
                new Case("stride (2,3)").input(1, 3, 17, 19).strides(2, 3),
                new Case("asymmetric pads [1,0,2,1]").pads(1, 0, 2, 1),
                new Case("end-only pads stride 2").input(1, 3, 16, 16).strides(2, 2).pads(0, 0, 1, 1),
                new Case("pads wider than kernel reach").input(1, 2, 5, 6).pads(3, 2, 3, 2),
                new Case("dilation 2").dilations(2, 2).pads(2, 2, 2, 2),
                new Case("dilation (2,3) stride (1,2)").dilations(2, 3).strides(1, 2).pads(1, 3, 2, 3),
                new Case("group 2").input(1, 4, 12, 12).out(6).group(2).pads(1, 1, 1, 1),
                new Case("group 4 stride 2").input(1, 8, 13, 13).out(8).group(4).strides(2, 2).pads(1, 1, 1, 1),
                new Case("depthwise 3x3").input(1, 8, 14, 14).out(8).group(8).pads(1, 1, 1, 1),
                new Case("depthwise multiplier 2").input(1, 8, 10, 10).out(16).group(8).pads(1, 1, 1, 1),
                new Case("depthwise stride 2 odd").input(2, 16, 15, 15).out(16).group(16).strides(2, 2).pads(1, 1, 1, 1),
                new Case("depthwise 5x5 stride 2 no bias").input(1, 12, 19, 17).out(12).group(12).kernel(5, 5)
                        .strides(2, 2).pads(2, 2, 2, 2).noBias(),
                new Case("depthwise dilation 2 asymmetric pads").input(1, 6, 11, 9).out(6).group(6).dilations(2, 2)
                        .pads(2, 1, 1, 2),
                new Case("group 2 dilation 2 stride 2").input(1, 4, 15, 15).out(4).group(2).dilations(2, 2)
                        .strides(2, 2).pads(1, 2, 2, 1),
                new Case("auto_pad SAME_UPPER stride 1").autoPad("SAME_UPPER"),
                new Case("auto_pad SAME_UPPER stride 2 odd").input(1, 3, 15, 14).strides(2, 2).autoPad("SAME_UPPER"),
                new Case("auto_pad SAME_UPPER even kernel").input(1, 3, 9, 10).kernel(2, 4).autoPad("SAME_UPPER"),
                new Case("auto_pad SAME_LOWER stride 2 odd").input(1, 3, 15, 14).strides(2, 2).autoPad("SAME_LOWER"),
                new Case("auto_pad SAME_LOWER even kernel").input(1, 3, 9, 10).kernel(2, 4).autoPad("SAME_LOWER"),
                // ONNX Runtime refuses auto_pad SAME_* with dilations > 1, so there is no oracle for that combination.
                new Case("auto_pad SAME_UPPER group 3 stride 2").input(1, 6, 11, 11).out(6).group(3)
                        .strides(2, 2).autoPad("SAME_UPPER"),
                new Case("auto_pad VALID stride 2").input(1, 3, 16, 15).strides(2, 2).autoPad("VALID"),
                new Case("auto_pad NOTSET with pads").autoPad("NOTSET").pads(1, 1, 1, 1),
                new Case("1x1 64 to 32").input(1, 64, 7, 9).out(32).kernel(1, 1),
                new Case("1x1 stride 2 no bias").input(1, 16, 14, 14).out(24).kernel(1, 1).strides(2, 2).noBias(),
                new Case("7x7 stride 2 pads 3").input(1, 3, 31, 31).out(16).kernel(7, 7).strides(2, 2).pads(3, 3, 3, 3),
                new Case("non-square 3x5 kernel").input(1, 3, 12, 13).kernel(3, 5).pads(1, 2, 1, 2),
                new Case("kernel_shape omitted").noKernelShape().pads(1, 1, 1, 1),
                new Case("kernel covers padded input").input(1, 2, 2, 2).out(3).pads(1, 1, 1, 1),
                new Case("batch 3").input(3, 3, 10, 10).pads(1, 1, 1, 1),
                new Case("dynamic batch run with 2").input(2, 3, 10, 10).dynamicBatch().strides(2, 2).pads(1, 1, 1, 1),
                new Case("64 to 64 3x3").input(1, 64, 14, 14).out(64).pads(1, 1, 1, 1),
                new Case("odd channels 5 to 7 5x5").input(1, 5, 9, 11).out(7).kernel(5, 5).pads(2, 2, 2, 2),
                new Case("wide and short output 1xN").input(1, 4, 3, 40).out(5).kernel(3, 3),
                new Case("opset 9 typed weights").opset(9).typedField().pads(1, 1, 1, 1).strides(2, 2),
                new Case("opset 11").opset(11).pads(0, 1, 1, 0).group(1),
                new Case("opset 17 typed weights group 3").opset(17).typedField().input(1, 6, 9, 9).out(9).group(3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(Case c) {
        oracle.check("Conv " + c.name, c.model(11), "x", OracleHarness.normal(12, c.batch, c.channels, c.height, c.width));
    }
}
