package dev.retina.streams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.awt.image.BufferedImage;
import java.util.List;

import javax.imageio.ImageIO;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import com.google.protobuf.ByteString;

/**
 * A real, tiny model package generated in code: "which colour dominates the image". The graph is
 * {@code input [batch, 3, S, S] → GlobalAveragePool → Flatten → Gemm(W = 10·I, b = 0) → logits [batch, 3]}, so the
 * logit of a class is ten times the mean of its channel; labels are red, green, blue. preprocess.json resizes
 * directly to S x S and scales pixels to [0, 1].
 */
public final class ColorModelPackage {

    public static final List<String> LABELS = List.of("red", "green", "blue");

    private ColorModelPackage() {
    }

    /** Writes {@code <repo>/colors/<version>/} with model.onnx, labels.txt and preprocess.json; returns the dir. */
    public static Path write(Path repo, String version, int size, String preprocessJson) {
        Path dir = repo.resolve("colors").resolve(version);
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("model.onnx"), onnx(size).toByteArray());
            Files.writeString(dir.resolve("labels.txt"), String.join("\n", LABELS) + "\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("preprocess.json"), preprocessJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** The package with a direct resize to {@code size} x {@code size}. */
    public static Path write(Path repo, String version, int size) {
        return write(repo, version, size, "{\"height\": " + size + ", \"width\": " + size
            + ", \"resize\": \"direct\", \"output\": \"logits\"}");
    }

    public static ModelProto onnx(int size) {
        float[] w = new float[9];
        for (int i = 0; i < 3; i++) {
            w[i * 3 + i] = 10f;
        }
        GraphProto graph = GraphProto.newBuilder()
            .setName("colors")
            .addInput(valueInfo("input", -1, 3, size, size))
            .addOutput(valueInfo("logits", -1, 3))
            .addInitializer(tensor("W", w, 3, 3))
            .addInitializer(tensor("B", new float[3], 3))
            .addNode(NodeProto.newBuilder().setOpType("GlobalAveragePool").setName("pool")
                .addInput("input").addOutput("pooled"))
            .addNode(NodeProto.newBuilder().setOpType("Flatten").setName("flatten")
                .addInput("pooled").addOutput("flat"))
            .addNode(NodeProto.newBuilder().setOpType("Gemm").setName("fc")
                .addInput("flat").addInput("W").addInput("B").addOutput("logits"))
            .build();
        return ModelProto.newBuilder()
            .setIrVersion(8)
            .setProducerName("retina-streams-test")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
            .setGraph(graph)
            .build();
    }

    /** A float tensor's value info; a negative dimension is the dynamic batch. Shared by the streams tests. */
    public static ValueInfoProto valueInfo(String name, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    /** A float initializer as little-endian raw data. Shared by the streams tests. */
    public static TensorProto tensor(String name, float[] values, int... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(raw.array()));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A PNG of {@code width} x {@code height} pixels of one colour {@code 0xRRGGBB}. */
    public static byte[] png(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
