package dev.retina.engine.oracle;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real PyTorch exports (torchvision resnet18, mobilenet_v2, squeezenet1_1 and a LeNet, random weights) against ONNX
 * Runtime. The build never depends on Python, so the files are not in the repository: this test runs only when the
 * system property {@value #DIR_PROPERTY} names a directory of {@code *.onnx} files, e.g.
 * {@code -Dretina.torchvision.dir=/path/to/exports}; {@code src/test/resources/oracle/export_torchvision.py} makes
 * them with PyTorch (see its header). Every model there must have one float input with a dynamic
 * batch dimension; it is run on a random-normal batch of 2 and on one smooth synthetic image normalised with the
 * ImageNet mean and std.
 */
@EnabledIfSystemProperty(named = TorchvisionExportOracleTest.DIR_PROPERTY, matches = ".+")
@Tag(NetworkOracleTest.HEAVY)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TorchvisionExportOracleTest {
    static final String DIR_PROPERTY = "retina.torchvision.dir";

    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.create();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    static Stream<Path> exports() throws IOException {
        Path dir = Path.of(System.getProperty(DIR_PROPERTY));
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> models = files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
            if (models.isEmpty()) {
                throw new IllegalStateException(DIR_PROPERTY + "=" + dir + ": expected *.onnx files, found none");
            }
            return models.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exports")
    void matchesOnnxRuntime(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ValueInfoProto input = onlyInput(ModelProto.parseFrom(bytes).getGraph());
        List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
        int[] chw = dims.subList(1, dims.size()).stream().mapToInt(d -> (int) d.getDimValue()).toArray();
        String name = file.getFileName().toString();

        oracle.check(name + " random batch 2", bytes, input.getName(), OracleHarness.normal(2024, prepend(2, chw)));
        oracle.check(name + " synthetic image", bytes, input.getName(), syntheticImage(chw));
    }

    private static ValueInfoProto onlyInput(GraphProto graph) {
        Set<String> initializers = graph.getInitializerList().stream().map(TensorProto::getName)
                .collect(Collectors.toSet());
        List<ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(v -> !initializers.contains(v.getName())).toList();
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("expected one graph input, found " + inputs.size());
        }
        return inputs.get(0);
    }

    private static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /**
     * A smooth picture (diagonal gradient plus a bright disc, different per channel) in [0, 1], normalised per channel
     * with the ImageNet mean and std as torchvision's transforms do; single-channel models get mean 0.5, std 0.5.
     */
    static Tensor syntheticImage(int[] chw) {
        int c = chw[0];
        int h = chw[1];
        int w = chw[2];
        float[] mean = c == 3 ? new float[] {0.485f, 0.456f, 0.406f} : new float[] {0.5f};
        float[] std = c == 3 ? new float[] {0.229f, 0.224f, 0.225f} : new float[] {0.5f};
        float[] data = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double gradient = (x + (ch + 1) * y) / (double) (w + (ch + 1) * h);
                    double dx = x - w * 0.6;
                    double dy = y - h * 0.4;
                    double disc = dx * dx + dy * dy < (h * h) / 16.0 ? 0.5 : 0;
                    double v = Math.min(1, 0.7 * gradient + disc);
                    data[(ch * h + y) * w + x] = (float) ((v - mean[ch % mean.length]) / std[ch % std.length]);
                }
            }
        }
        return Tensor.of(Shape.of(1, c, h, w), data);
    }
}
