package dev.retina.engine.onnx;

import static dev.retina.engine.onnx.TestModelBuilder.i;
import static dev.retina.engine.onnx.TestModelBuilder.ints;
import static dev.retina.engine.onnx.TestModelBuilder.s;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Broken or unsupported models fail at load with a reason code and a message saying what and where. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MalformedModelTest {

    private static TestModelBuilder conv() {
        return new TestModelBuilder(13).input("x", 1, 1, 4, 4).randomInitializer("w", 1, 1f, 2, 1, 3, 3);
    }

    private static void assertFails(byte[] model, Reason reason, String... fragments) {
        assertThatThrownBy(() -> OnnxImporter.load(model)).isInstanceOfSatisfying(ModelLoadException.class, e -> {
            org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo(reason);
            org.assertj.core.api.Assertions.assertThat(e.getMessage()).contains(fragments);
        });
    }

    @Test
    void truncatedProtobuf() {
        byte[] good = conv().node("Conv", new String[] {"x", "w"}, new String[] {"y"}).output("y").build();
        assertFails(Arrays.copyOf(good, good.length - 7), Reason.MALFORMED_PROTOBUF, "not a valid ONNX ModelProto");
    }

    @Test
    void garbageAndEmptyInput() {
        assertFails(new byte[0], Reason.MALFORMED_PROTOBUF, "0 bytes");
        assertFails("this is not onnx at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                Reason.MALFORMED_PROTOBUF, "ModelProto");
    }

    @Test
    void cycleNamesTheNodes() {
        byte[] m = new TestModelBuilder(13).input("x", 1, 2)
                .node("Add", new String[] {"x", "b"}, new String[] {"a"})
                .node("Relu", "a", "b").output("b").build();
        assertFails(m, Reason.CYCLE, "add_0", "relu_1");
    }

    @Test
    void missingInitializer() {
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 4, 4)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}).output("y").build();
        assertFails(m, Reason.MISSING_INPUT, "node 'conv_0' (Conv)", "input 'w'");
    }

    @Test
    void unknownOperator() {
        byte[] m = new TestModelBuilder(13).input("x", 1, 4).node("Erf", "x", "y").output("y").build();
        assertFails(m, Reason.UNSUPPORTED_OPERATOR, "node 'erf_0' (Erf)", "unknown operator", "Conv");
    }

    @Test
    void controlFlowIsAnUnknownOperatorNotAnAttributeProblem() {
        var proto = new TestModelBuilder(13).input("x", 1).node("Relu", "x", "y").output("y").proto().toBuilder();
        proto.getGraphBuilder().addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("If").setName("branch")
                .addInput("x").addOutput("z")
                .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("then_branch")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.GRAPH)
                        .setG(ai.onnx.proto.OnnxMl.GraphProto.getDefaultInstance())));
        assertFails(proto.build().toByteArray(), Reason.UNSUPPORTED_OPERATOR, "node 'branch' (If)", "unknown operator");
    }

    @Test
    void foreignDomain() {
        TestModelBuilder b = new TestModelBuilder(13).input("x", 1, 4).node("Relu", "x", "y").output("y");
        var proto = b.proto().toBuilder();
        proto.getGraphBuilder().getNodeBuilder(0).setDomain("com.microsoft");
        assertFails(proto.build().toByteArray(), Reason.UNSUPPORTED_OPERATOR, "domain 'com.microsoft'");
    }

    @Test
    void wrongRank() {
        byte[] m = new TestModelBuilder(13).input("x", 4, 4).randomInitializer("w", 1, 1f, 2, 1, 3, 3)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}).output("y").build();
        assertFails(m, Reason.SHAPE_MISMATCH, "(Conv)", "expected a 4-D input", "[4, 4]");
    }

    @Test
    void shapesThatDoNotBroadcast() {
        byte[] m = new TestModelBuilder(13).input("x", 2, 3).initializer("c", new float[] {1, 2}, 2)
                .node("Add", new String[] {"x", "c"}, new String[] {"y"}).output("y").build();
        assertFails(m, Reason.SHAPE_MISMATCH, "(Add)", "[2, 3]", "[2]");
    }

    @Test
    void absurdDimsRejectedBeforeAllocating() {
        TensorProto huge = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(100_000).addDims(100_000).addDims(100_000).build();
        byte[] m = new TestModelBuilder(13).input("x", 1, 4).initializer(huge)
                .node("Add", new String[] {"x", "w"}, new String[] {"y"}).output("y").build();
        assertFails(m, Reason.LIMIT_EXCEEDED, "initializer 'w'", "exceed the limit");
        byte[] input = new TestModelBuilder(13).input("x", 1, 1 << 30, 1 << 30).node("Relu", "x", "y").output("y")
                .build();
        assertFails(input, Reason.LIMIT_EXCEEDED, "graph input 'x'");
    }

    @Test
    void intermediateTensorOverTheLimit() {
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 64, 64).int64Initializer("s", new long[] {1, 4096}, 2)
                .node("Reshape", new String[] {"x", "s"}, new String[] {"r"})
                .node("Transpose", "r", "t").node("MatMul", new String[] {"t", "r"}, new String[] {"y"})
                .output("y").build();
        assertThatThrownBy(() -> OnnxImporter.load(m, ImportLimits.defaults().withMaxTensorElements(1 << 20)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("LIMIT_EXCEEDED")
                .hasMessageContaining("(MatMul)").hasMessageContaining("[4096, 4096]");
    }

    @Test
    void rawDataOfTheWrongLength() {
        TensorProto t = TestModelBuilder.floatTensor("w", new float[] {1, 2, 3}, 2, 2);
        byte[] m = new TestModelBuilder(13).input("x", 2, 2).initializer(t)
                .node("Add", new String[] {"x", "w"}, new String[] {"y"}).output("y").build();
        assertFails(m, Reason.INVALID_MODEL, "initializer 'w'", "expected 16 raw_data bytes", "found 12");
    }

    @Test
    void nonFloatTensors() {
        TensorProto d = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.DOUBLE_VALUE)
                .addDims(1).addDoubleData(1.0).build();
        byte[] m = new TestModelBuilder(13).input("x", 1).initializer(d)
                .node("Add", new String[] {"x", "w"}, new String[] {"y"}).output("y").build();
        assertFails(m, Reason.UNSUPPORTED_DATA_TYPE, "initializer 'w'", "expected data type FLOAT", "DOUBLE");
        byte[] in = new TestModelBuilder(13).typedInput("x", TensorProto.DataType.INT64_VALUE, 1, 4)
                .node("Relu", "x", "y").output("y").build();
        assertFails(in, Reason.UNSUPPORTED_DATA_TYPE, "graph input 'x'", "INT64");
        byte[] mixed = new TestModelBuilder(13).input("x", 2).int64Initializer("k", new long[] {1, 2}, 2)
                .node("Add", new String[] {"x", "k"}, new String[] {"y"}).output("y").build();
        assertFails(mixed, Reason.UNSUPPORTED_DATA_TYPE, "(Add)", "input 1 expected float32, found int64");
    }

    @Test
    void unsupportedAttributesAndValues() {
        assertFails(conv().node("Conv", new String[] {"x", "w"}, new String[] {"y"}, s("auto_pad", "SAME_MIDDLE"))
                .output("y").build(), Reason.UNSUPPORTED_ATTRIBUTE, "auto_pad", "SAME_MIDDLE");
        assertFails(conv().node("Conv", new String[] {"x", "w"}, new String[] {"y"}, i("colour", 3))
                .output("y").build(), Reason.UNSUPPORTED_ATTRIBUTE, "unknown attribute 'colour'");
        assertFails(new TestModelBuilder(13).input("x", 1, 1, 4, 4).node("MaxPool", "x", "y",
                ints("kernel_shape", 2, 2), i("storage_order", 1)).output("y").build(),
                Reason.UNSUPPORTED_ATTRIBUTE, "storage_order expected 0");
        assertFails(new TestModelBuilder(13).input("x", 1, 1, 4, 4).node("MaxPool", "x", "y").output("y").build(),
                Reason.INVALID_MODEL, "kernel_shape");
    }

    @Test
    void groupThatDoesNotDivideTheChannels() {
        byte[] m = new TestModelBuilder(13).input("x", 1, 3, 4, 4).randomInitializer("w", 1, 1f, 4, 1, 1, 1)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}, i("group", 2)).output("y").build();
        assertFails(m, Reason.SHAPE_MISMATCH, "group 2");
    }

    @Test
    void runtimeValueWhereAConstantIsNeeded() {
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 4, 4).input("w", 2, 1, 3, 3)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}).output("y").build();
        assertFails(m, Reason.UNSUPPORTED_OPERATOR, "input 1 (W) must be a constant");
    }

    @Test
    void opsetOutOfRange() {
        byte[] old = new TestModelBuilder(7).input("x", 1).node("Relu", "x", "y").output("y").build();
        assertFails(old, Reason.UNSUPPORTED_OPSET, "expected 9..17, found 7");
        byte[] young = new TestModelBuilder(19).input("x", 1).node("Relu", "x", "y").output("y").build();
        assertFails(young, Reason.UNSUPPORTED_OPSET, "found 19");
    }

    @Test
    void dynamicNonBatchDimension() {
        byte[] m = new TestModelBuilder(13).input("x", 1, -1).node("Relu", "x", "y").output("y").build();
        assertFails(m, Reason.INVALID_MODEL, "only the first (batch) dimension may be dynamic");
    }

    @Test
    void fileOverTheSizeLimit(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.write(file, conv().node("Conv", new String[] {"x", "w"}, new String[] {"y"}).output("y").build());
        assertThatThrownBy(() -> OnnxImporter.load(file, ImportLimits.defaults().withMaxFileBytes(64)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("LIMIT_EXCEEDED")
                .hasMessageContaining("the limit is 64");
        assertThatThrownBy(() -> OnnxImporter.load(dir.resolve("absent.onnx")))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("IO_ERROR");
    }

    @Test
    void deeplyNestedProtobufHitsTheRecursionLimit() {
        // A Constant whose tensor attribute nests graphs in attributes ~100 levels deep.
        ai.onnx.proto.OnnxMl.GraphProto.Builder inner = ai.onnx.proto.OnnxMl.GraphProto.newBuilder();
        for (int depth = 0; depth < 100; depth++) {
            ai.onnx.proto.OnnxMl.NodeProto.Builder n = ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("If")
                    .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("then_branch")
                            .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.GRAPH).setG(inner));
            inner = ai.onnx.proto.OnnxMl.GraphProto.newBuilder().addNode(n);
        }
        var proto = new TestModelBuilder(13).input("x", 1).node("Relu", "x", "y").output("y").proto().toBuilder();
        proto.getGraphBuilder().addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("If")
                .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("then_branch")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.GRAPH).setG(inner)));
        assertFails(proto.build().toByteArray(), Reason.MALFORMED_PROTOBUF, "recursion");
    }
}
