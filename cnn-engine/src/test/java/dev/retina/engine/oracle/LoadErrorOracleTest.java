package dev.retina.engine.oracle;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.SeededRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Models that ONNX Runtime also refuses must fail in the engine at load time, with a reason code and a message that
 * names the node and operator: the oracle confirms the model is really invalid, not just unfamiliar to the engine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadErrorOracleTest {

    private static OnnxGraphBuilder convGraph() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bad", 13);
        g.input("x", 1, 3, 8, 8);
        g.floats("w", new SeededRandom(111).normal(4 * 3 * 9, 0, 0.3), 4, 3, 3, 3);
        return g;
    }

    @Test
    void unknownOperatorIsRejectedByBoth() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bad", 13);
        g.input("x", 1, 3, 8, 8);
        g.node("Frobnicate", List.of("x"), "y");
        g.output("y");
        byte[] model = g.build();

        assertThat(OrtReference.loadError(model)).as("ONNX Runtime's verdict").isNotNull();
        assertThatThrownBy(() -> OnnxImporter.load(model))
                .isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).reason())
                        .isEqualTo(ModelLoadException.Reason.UNSUPPORTED_OPERATOR))
                .hasMessageContaining("Frobnicate")
                .hasMessageContaining("Frobnicate_0");
    }

    @Test
    void invalidAutoPadValueIsRejectedByBoth() {
        OnnxGraphBuilder g = convGraph();
        g.node("Conv", List.of("x", "w"), "y", Attr.ints("kernel_shape", 3, 3), Attr.s("auto_pad", "SAME_MIDDLE"));
        g.output("y");
        byte[] model = g.build();

        assertThat(OrtReference.loadError(model)).as("ONNX Runtime's verdict").isNotNull();
        assertThatThrownBy(() -> OnnxImporter.load(model))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("Conv_0")
                .hasMessageContaining("auto_pad")
                .hasMessageContaining("SAME_MIDDLE");
    }

    @Test
    void unknownAttributeIsRejectedByBoth() {
        OnnxGraphBuilder g = convGraph();
        g.node("Conv", List.of("x", "w"), "y", Attr.ints("kernel_shape", 3, 3), Attr.i("winograd", 1));
        g.output("y");
        byte[] model = g.build();

        assertThat(OrtReference.loadError(model)).as("ONNX Runtime's verdict").isNotNull();
        assertThatThrownBy(() -> OnnxImporter.load(model))
                .isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).reason())
                        .isEqualTo(ModelLoadException.Reason.UNSUPPORTED_ATTRIBUTE))
                .hasMessageContaining("Conv_0")
                .hasMessageContaining("winograd");
    }

    @Test
    void kernelShapeContradictingWeightsIsRejectedByBoth() {
        OnnxGraphBuilder g = convGraph();
        g.node("Conv", List.of("x", "w"), "y", Attr.ints("kernel_shape", 5, 5));
        g.output("y");
        byte[] model = g.build();

        assertThat(OrtReference.loadError(model) != null || ortRunFails(model, 1, 3, 8, 8))
                .as("ONNX Runtime's verdict").isTrue();
        assertThatThrownBy(() -> OnnxImporter.load(model))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("Conv_0");
    }

    @Test
    void channelMismatchBetweenInputAndWeightsIsRejectedByBoth() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bad", 13);
        g.input("x", 1, 5, 8, 8);
        g.floats("w", new SeededRandom(112).normal(4 * 3 * 9, 0, 0.3), 4, 3, 3, 3);
        g.node("Conv", List.of("x", "w"), "y", Attr.ints("kernel_shape", 3, 3));
        g.output("y");
        byte[] model = g.build();

        assertThat(OrtReference.loadError(model) != null || ortRunFails(model, 1, 5, 8, 8))
                .as("ONNX Runtime's verdict").isTrue();
        assertThatThrownBy(() -> OnnxImporter.load(model))
                .isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).reason())
                        .isEqualTo(ModelLoadException.Reason.SHAPE_MISMATCH))
                .hasMessageContaining("Conv_0");
    }

    @Test
    void doubleWeightsAreRejectedByBoth() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bad", 13);
        g.input("x", 1, 3, 8, 8);
        ai.onnx.proto.OnnxMl.TensorProto.Builder w = ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("w")
                .setDataType(ai.onnx.proto.OnnxMl.TensorProto.DataType.DOUBLE_VALUE).addAllDims(List.of(4L, 3L, 3L, 3L));
        for (int i = 0; i < 4 * 3 * 9; i++) {
            w.addDoubleData(0.01 * i);
        }
        g.initializer(w.build());
        g.node("Conv", List.of("x", "w"), "y", Attr.ints("kernel_shape", 3, 3));
        g.output("y");
        byte[] model = g.build();

        assertThat(OrtReference.loadError(model)).as("ONNX Runtime's verdict").isNotNull();
        assertThatThrownBy(() -> OnnxImporter.load(model))
                .isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).reason())
                        .isEqualTo(ModelLoadException.Reason.UNSUPPORTED_DATA_TYPE))
                .hasMessageContaining("w");
    }

    @Test
    void operatorFromAnotherDomainIsRejected() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bad", 13);
        g.input("x", 1, 3, 8, 8);
        g.node("Relu", List.of("x"), "y");
        g.output("y");
        // Same op type, but in a custom domain nobody registered: not the ONNX Relu.
        byte[] model = g.buildProto().toBuilder()
                .setGraph(g.buildProto().getGraph().toBuilder()
                        .setNode(0, g.buildProto().getGraph().getNode(0).toBuilder().setDomain("com.example.custom")))
                .build().toByteArray();

        assertThat(OrtReference.loadError(model)).as("ONNX Runtime's verdict").isNotNull();
        assertThatThrownBy(() -> OnnxImporter.load(model))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("com.example.custom");
    }

    /** Some invalid models load in ORT and only fail when run (ORT checks some shapes lazily). */
    private static boolean ortRunFails(byte[] model, int... inputDims) {
        return OrtReference.runError(model,
                Map.of("x", OracleHarness.toHost(OracleHarness.normal(113, inputDims)))) != null;
    }
}
