package dev.retina.engine.oracle;

import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.OnnxNetworks;
import dev.retina.engine.testing.TensorEncoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole networks built in code (ResNet-18, MobileNetV2, SqueezeNet 1.1 and LeNet structures, seeded random weights,
 * dynamic batch) compared with ONNX Runtime on the full output, for one image and for a batch of 8. The batch-8 runs
 * are the slowest tests of the module and are tagged {@value #HEAVY}, so a quick local run can exclude them with
 * {@code -Dsurefire.excludedGroups=heavy}; they run by default and in CI.
 *
 * <p>Models are built once per class (ResNet-18's weights alone are 47 MB).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NetworkOracleTest {
    static final String HEAVY = "heavy";

    private static OracleHarness oracle;
    private static byte[] resNet18;
    private static byte[] mobileNetV2;
    private static byte[] squeezeNet;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.create();
        // Different opsets and initializer encodings per network, so the real-export variants are all covered.
        resNet18 = OnnxNetworks.resNet18(13, TensorEncoding.RAW_DATA, 1);
        mobileNetV2 = OnnxNetworks.mobileNetV2(13, TensorEncoding.RAW_DATA, 2);
        squeezeNet = OnnxNetworks.squeezeNet11(12, TensorEncoding.TYPED_FIELD, 3);
    }

    @AfterAll
    static void stop() {
        oracle.close();
        resNet18 = null;
        mobileNetV2 = null;
        squeezeNet = null;
    }

    private static Tensor images(int batch) {
        return OracleHarness.normal(1000 + batch, batch, 3, 224, 224);
    }

    @Test
    void resNet18SingleImage() {
        oracle.check("ResNet-18 1x3x224x224", resNet18, OnnxNetworks.INPUT, images(1));
    }

    @Test
    @Tag(HEAVY)
    void resNet18Batch8() {
        oracle.check("ResNet-18 8x3x224x224", resNet18, OnnxNetworks.INPUT, images(8));
    }

    @Test
    void mobileNetV2SingleImage() {
        oracle.check("MobileNetV2 1x3x224x224", mobileNetV2, OnnxNetworks.INPUT, images(1));
    }

    @Test
    @Tag(HEAVY)
    void mobileNetV2Batch8() {
        oracle.check("MobileNetV2 8x3x224x224", mobileNetV2, OnnxNetworks.INPUT, images(8));
    }

    @Test
    void squeezeNetSingleImage() {
        oracle.check("SqueezeNet 1.1 1x3x224x224", squeezeNet, OnnxNetworks.INPUT, images(1));
    }

    @Test
    @Tag(HEAVY)
    void squeezeNetBatch8() {
        oracle.check("SqueezeNet 1.1 8x3x224x224", squeezeNet, OnnxNetworks.INPUT, images(8));
    }

    @Test
    void leNetSingleImageOpset9() {
        oracle.check("LeNet 1x1x28x28 (opset 9)", OnnxNetworks.leNet(9, TensorEncoding.RAW_DATA, 4),
                OnnxNetworks.INPUT, OracleHarness.normal(5, 1, 1, 28, 28));
    }

    @Test
    void leNetBatch8Opset17() {
        oracle.check("LeNet 8x1x28x28 (opset 17, float_data)", OnnxNetworks.leNet(17, TensorEncoding.TYPED_FIELD, 4),
                OnnxNetworks.INPUT, OracleHarness.normal(6, 8, 1, 28, 28));
    }

    @Test
    void resNet18Opset9TypedWeightsSingleImage() {
        byte[] model = OnnxNetworks.resNet18(9, TensorEncoding.TYPED_FIELD, 7);
        oracle.check("ResNet-18 1x3x224x224 (opset 9, float_data)", model, OnnxNetworks.INPUT, images(1));
    }

    /**
     * What {@code retina inspect} reports, checked independently: inputs/outputs with the dynamic batch as -1, operator
     * counts and float parameter counts recomputed from the file, and MACs per image against hand-computed (LeNet) and
     * published torchvision figures (ResNet-18 1.814 G, MobileNetV2 0.301 G, SqueezeNet 1.1 0.349 G; within 1%).
     */
    @Test
    void modelMetadataMatchesTheFile() throws Exception {
        byte[] leNet = OnnxNetworks.leNet(13, TensorEncoding.RAW_DATA, 4);
        // LeNet: conv1 6*24*24*1*25 + conv2 16*8*8*6*25 + fc 256*120 + 120*84 + 84*10.
        assertMetadata(leNet, new int[] {-1, 1, 28, 28}, new int[] {-1, 10}, 281_640, 0);
        assertMetadata(resNet18, new int[] {-1, 3, 224, 224}, new int[] {-1, 1000}, 1_814_000_000L, 0.01);
        assertMetadata(mobileNetV2, new int[] {-1, 3, 224, 224}, new int[] {-1, 1000}, 300_800_000L, 0.01);
        assertMetadata(squeezeNet, new int[] {-1, 3, 224, 224}, new int[] {-1, 1000}, 349_000_000L, 0.01);
    }

    private static void assertMetadata(byte[] bytes, int[] input, int[] output, long macs, double macTolerance)
            throws Exception {
        ai.onnx.proto.OnnxMl.GraphProto graph = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(bytes).getGraph();
        Map<String, Integer> ops = new java.util.TreeMap<>();
        graph.getNodeList().forEach(n -> ops.merge(n.getOpType(), 1, Integer::sum));
        long params = graph.getInitializerList().stream()
                .filter(t -> t.getDataType() == ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE)
                .mapToLong(t -> t.getDimsList().stream().reduce(1L, Math::multiplyExact))
                .sum();

        dev.retina.engine.graph.Model model = dev.retina.engine.onnx.OnnxImporter.load(bytes);
        String name = graph.getName();
        assertThat(model.inputs()).as("%s inputs", name).singleElement().satisfies(v -> {
            assertThat(v.name()).isEqualTo(OnnxNetworks.INPUT);
            assertThat(v.shape().dims()).containsExactly(input);
        });
        assertThat(model.outputs()).as("%s outputs", name).singleElement().satisfies(v -> {
            assertThat(v.name()).isEqualTo(OnnxNetworks.OUTPUT);
            assertThat(v.shape().dims()).containsExactly(output);
        });
        assertThat(model.operatorCounts()).as("%s operator counts", name).containsExactlyInAnyOrderEntriesOf(ops);
        assertThat(model.parameterCount()).as("%s parameters", name).isEqualTo(params);
        assertThat((double) model.macsPerImage()).as("%s MACs per image", name)
                .isCloseTo(macs, org.assertj.core.data.Percentage.withPercentage(macTolerance * 100));
        System.out.printf("[oracle-metadata] %s params=%d macsPerImage=%d ops=%s%n", name, model.parameterCount(),
                model.macsPerImage(), model.operatorCounts());
    }

    /** The engine contract: results do not depend on the thread count (max abs diff <= 1e-6). */
    @Test
    void mobileNetV2ResultDoesNotDependOnThreadCount() {
        Tensor input = images(2);
        Map<String, Tensor> one;
        Map<String, Tensor> two;
        try (OracleHarness single = OracleHarness.withThreads(1)) {
            one = single.runEngine(mobileNetV2, Map.of(OnnxNetworks.INPUT, input));
        }
        try (OracleHarness dual = OracleHarness.withThreads(2)) {
            two = dual.runEngine(mobileNetV2, Map.of(OnnxNetworks.INPUT, input));
        }
        Tensor a = one.get(OnnxNetworks.OUTPUT);
        Tensor b = two.get(OnnxNetworks.OUTPUT);
        assertThat(b.shape()).isEqualTo(a.shape());
        TensorComparison c = TensorComparison.of(OnnxNetworks.OUTPUT, a.data(), b.data());
        System.out.println("[oracle] MobileNetV2 2x3x224x224 1 vs 2 threads | " + c.summary());
        assertThat(c.maxAbsDiff()).as("1 vs 2 threads: %s", c.summary()).isLessThanOrEqualTo(1e-6);
    }
}
