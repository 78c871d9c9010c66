package dev.retina.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes the benchmark networks ({@link OnnxNetworks}: ResNet-18, MobileNetV2, SqueezeNet 1.1 and
 * LeNet, seeded random weights, opset 13, dynamic batch) as ONNX files for {@code retina bench}.
 * A test-scope program, so that the generators stay test code:
 * {@code java -cp <test classes, classes, test class path> dev.retina.engine.testing.BenchModels DIR}
 * (docs/PERFORMANCE.md has the exact commands).
 */
public final class BenchModels {

    /** Opset of the written models. */
    public static final int OPSET = 13;
    /** Seed of the random weights. */
    public static final long SEED = 9;

    private BenchModels() {
    }

    /** The networks by file stem, in table order. */
    public static Map<String, Supplier<byte[]>> networks() {
        Map<String, Supplier<byte[]>> nets = new LinkedHashMap<>();
        nets.put("resnet18", () -> OnnxNetworks.resNet18(OPSET, TensorEncoding.RAW_DATA, SEED));
        nets.put("mobilenetv2", () -> OnnxNetworks.mobileNetV2(OPSET, TensorEncoding.RAW_DATA, SEED));
        nets.put("squeezenet11", () -> OnnxNetworks.squeezeNet11(OPSET, TensorEncoding.RAW_DATA, SEED));
        nets.put("lenet", () -> OnnxNetworks.leNet(OPSET, TensorEncoding.RAW_DATA, SEED));
        return nets;
    }

    /** Writes every network as {@code DIR/<name>.onnx}, creating DIR, and prints each path. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BenchModels DIR (expected one argument, found " + args.length + ")");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        for (Map.Entry<String, Supplier<byte[]>> e : networks().entrySet()) {
            Path file = Files.write(dir.resolve(e.getKey() + ".onnx"), e.getValue().get());
            System.out.println(file);
        }
    }
}
