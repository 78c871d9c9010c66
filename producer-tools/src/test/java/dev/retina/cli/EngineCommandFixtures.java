package dev.retina.cli;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import picocli.CommandLine;

/**
 * Fixtures for the engine command tests (infer, classify, inspect): a tiny ONNX classifier written with the ONNX
 * protobuf builders, a model package around it, solid-colour image files, and a runner capturing out and err.
 *
 * <p>The model: {@code image [N, 3, 4, 4] -> GlobalAveragePool -> Flatten -> Gemm(W, B, transB=1) -> scores [N, 3]}
 * with {@code W = 10 * I}, so the logits are ten times the mean of each colour channel and a red image is class 0.
 */
final class EngineCommandFixtures {

    private EngineCommandFixtures() {
    }

    /** Result of one command line run. */
    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static byte[] tinyClassifier() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("tiny");
        g.addInput(valueInfo("image", -1, 3, 4, 4));
        g.addOutput(valueInfo("scores", -1, 3));
        g.addInitializer(floats("W", new float[] {10, 0, 0, 0, 10, 0, 0, 0, 10}, 3, 3));
        g.addInitializer(floats("B", new float[] {0, 0, 0}, 3));
        g.addNode(NodeProto.newBuilder().setName("pool").setOpType("GlobalAveragePool").addInput("image")
                .addOutput("pooled"));
        g.addNode(NodeProto.newBuilder().setName("flatten").setOpType("Flatten").addInput("pooled")
                .addOutput("flat").addAttribute(intAttr("axis", 1)));
        g.addNode(NodeProto.newBuilder().setName("fc").setOpType("Gemm").addInput("flat").addInput("W")
                .addInput("B").addOutput("scores").addAttribute(intAttr("transB", 1)));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("retina-cli-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build().toByteArray();
    }

    /** A model package directory around {@link #tinyClassifier()} with labels red, green, blue. */
    static Path tinyPackage(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), tinyClassifier());
        Files.writeString(dir.resolve("labels.txt"), "red\ngreen\nblue\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("preprocess.json"),
                "{\"height\": 4, \"width\": 4, \"resize\": \"direct\", \"output\": \"logits\"}\n",
                StandardCharsets.UTF_8);
        return dir;
    }

    /** A w x h image file of one colour in the given ImageIO format. */
    static Path image(Path file, String format, int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        return file;
    }

    private static ValueInfoProto valueInfo(String name, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static TensorProto floats(String name, float[] data, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber());
        for (int d : dims) {
            t.addDims(d);
        }
        for (float v : data) {
            t.addFloatData(v);
        }
        return t.build();
    }

    private static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }
}
