package dev.retina.streams.model;

import static dev.retina.streams.ColorModelPackage.tensor;
import static dev.retina.streams.ColorModelPackage.valueInfo;

import java.util.Arrays;
import java.util.List;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;

import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

/**
 * Real tiny ONNX models for the model-manager tests: {@code input [N, 3, 4, 4] → GlobalAveragePool → Flatten →
 * Gemm(W = gain·I, b = 0) → logits [N, 3]}. The gain tells versions apart: on {@link #redInput()} the first logit is
 * exactly {@code gain}. Variants are broken on purpose (unknown operator, wrong class count).
 */
final class TinyModels {

    static final int SIZE = 4;
    static final List<String> LABELS = List.of("red", "green", "blue");
    static final String PREPROCESS = "{\"height\": 4, \"width\": 4, \"resize\": \"direct\", \"output\": \"logits\"}";

    private TinyModels() {
    }

    /** The model bytes with first-class logit {@code gain} on a pure red input. */
    static byte[] onnx(float gain) {
        return model(gain, 3, "Gemm").toByteArray();
    }

    /** A model whose last node is an operator no engine knows. */
    static byte[] unknownOperator() {
        return model(1f, 3, "FrobnicateV9").toByteArray();
    }

    /** A model with {@code classes} outputs. */
    static byte[] withClasses(int classes) {
        return model(1f, classes, "Gemm").toByteArray();
    }

    static ModelCandidate candidate(String version, float gain) {
        return candidate(version, onnx(gain));
    }

    static ModelCandidate candidate(String version, byte[] onnx) {
        return new ModelCandidate("colors", version, ModelPackage.sha256(onnx), onnx, LABELS, PREPROCESS, List.of(),
            "test");
    }

    /** A [1, 3, 4, 4] input whose red channel is 1 and the others 0. */
    static Tensor redInput() {
        float[] data = new float[3 * SIZE * SIZE];
        Arrays.fill(data, 0, SIZE * SIZE, 1f);
        return Tensor.of(Shape.of(1, 3, SIZE, SIZE), data);
    }

    /** The gain a version name encodes in these tests: version "k" has gain 10·k. */
    static float gainOf(String version) {
        return 10f * Integer.parseInt(version);
    }

    private static ModelProto model(float gain, int classes, String fcOp) {
        float[] w = new float[3 * classes];
        for (int i = 0; i < Math.min(3, classes); i++) {
            w[i * classes + i] = gain;
        }
        GraphProto graph = GraphProto.newBuilder()
            .setName("tiny")
            .addInput(valueInfo("input", -1, 3, SIZE, SIZE))
            .addOutput(valueInfo("logits", -1, classes))
            .addInitializer(tensor("W", w, 3, classes))
            .addInitializer(tensor("B", new float[classes], classes))
            .addNode(NodeProto.newBuilder().setOpType("GlobalAveragePool").setName("pool")
                .addInput("input").addOutput("pooled"))
            .addNode(NodeProto.newBuilder().setOpType("Flatten").setName("flatten")
                .addInput("pooled").addOutput("flat"))
            .addNode(NodeProto.newBuilder().setOpType(fcOp).setName("fc")
                .addInput("flat").addInput("W").addInput("B").addOutput("logits"))
            .build();
        return ModelProto.newBuilder()
            .setIrVersion(8)
            .setProducerName("retina-model-manager-test")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
            .setGraph(graph)
            .build();
    }
}
