package dev.retina.cli;

import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Shape;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code retina inspect --model M.onnx}: loads a model (so everything the engine checks at load time is checked)
 * and prints what it is, one {@code key: value} per line, lists indented by two spaces:
 * <pre>
 * model: m.onnx
 * sha256: 3f0c...
 * opset: 13
 * inputs:
 *   image [N, 3, 224, 224]
 * outputs:
 *   scores [N, 1000]
 * operators:
 *   Conv 20
 *   Relu 17
 * parameters: 11689512
 * macs_per_image: 1814073344
 * </pre>
 * A dynamic batch dimension prints as {@code N}, any other dynamic dimension as {@code ?}. Operators are the ONNX
 * op types of the original file, most frequent first.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's inputs, outputs, operator counts, parameter count, MACs per image and opset.")
public final class InspectCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model file.")
    Path model;

    @Override
    public Integer call() throws IOException {
        InferCommand.requireFile(model, "--model");
        Model loaded = OnnxImporter.load(model);
        PrintWriter out = spec.commandLine().getOut();
        out.println("model: " + model);
        out.println("sha256: " + ModelPackage.sha256(Files.readAllBytes(model)));
        out.println("opset: " + loaded.opsetVersion());
        out.println("inputs:");
        for (ValueInfo v : loaded.inputs()) {
            out.println("  " + v.name() + " " + shape(v.shape()));
        }
        out.println("outputs:");
        for (ValueInfo v : loaded.outputs()) {
            out.println("  " + v.name() + " " + shape(v.shape()));
        }
        out.println("operators:");
        List<Map.Entry<String, Integer>> ops = new ArrayList<>(loaded.operatorCounts().entrySet());
        ops.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Integer> op : ops) {
            out.println("  " + op.getKey() + " " + op.getValue());
        }
        out.println("parameters: " + loaded.parameterCount());
        out.println("macs_per_image: " + loaded.macsPerImage());
        out.flush();
        return 0;
    }

    static String shape(Shape shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.rank(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            int d = shape.dim(i);
            sb.append(d != Shape.UNKNOWN ? Integer.toString(d) : i == 0 ? "N" : "?");
        }
        return sb.append(']').toString();
    }
}
