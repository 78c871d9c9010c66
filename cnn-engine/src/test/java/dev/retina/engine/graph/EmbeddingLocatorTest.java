package dev.retina.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.onnx.ImportLimits;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.OnnxNetworks;
import dev.retina.engine.testing.TensorEncoding;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddingLocatorTest {

    private static Graph graph(OnnxGraphBuilder b) {
        return OnnxImporter.readGraph(b.build(), ImportLimits.defaults());
    }

    /** image -> GlobalAveragePool -> Flatten -> Gemm [-> Softmax]: the Flatten output enters the classifier. */
    private static OnnxGraphBuilder gemmHead(boolean softmax) {
        OnnxGraphBuilder b = OnnxGraphBuilder.create("gemm_head", 13);
        String x = b.input("image", -1, 3, 4, 4);
        String pooled = b.node("GlobalAveragePool", List.of(x), "pooled");
        String flat = b.node("Flatten", List.of(pooled), "features", Attr.i("axis", 1));
        String w = b.floats("W", new float[6], 2, 3);
        String bias = b.floats("B", new float[2], 2);
        b.node("Gemm", List.of(flat, w, bias), softmax ? "logits" : "scores", Attr.i("transB", 1));
        if (softmax) {
            b.node("Dropout", List.of("logits"), "dropped");
            b.node("Softmax", List.of("dropped"), "scores", Attr.i("axis", 1));
        }
        b.output("scores", -1, 2);
        return b;
    }

    @Test
    void findsTheDataInputOfTheFinalGemm() {
        assertThat(EmbeddingLocator.locate(graph(gemmHead(false)))).contains("features");
    }

    @Test
    void walksBackThroughSoftmaxAndDropout() {
        assertThat(EmbeddingLocator.locate(graph(gemmHead(true)))).contains("features");
    }

    @Test
    void findsTheDataInputOfMatMulPlusConstantBias() {
        OnnxGraphBuilder b = OnnxGraphBuilder.create("matmul_head", 13);
        String x = b.input("image", -1, 3, 4, 4);
        String pooled = b.node("GlobalAveragePool", List.of(x), "pooled");
        String flat = b.node("Flatten", List.of(pooled), "features", Attr.i("axis", 1));
        String w = b.floats("W", new float[6], 3, 2);
        String bias = b.floats("B", new float[2], 2);
        String mm = b.node("MatMul", List.of(flat, w), "mm");
        b.node("Add", List.of(bias, mm), "scores");
        b.output("scores", -1, 2);
        assertThat(EmbeddingLocator.locate(graph(b))).contains("features");
    }

    @Test
    void findsTheInputOfAFinalClassifierConvInAConvOnlyHead() {
        // SqueezeNet's head: Dropout -> Conv 1x1 -> Relu -> GlobalAveragePool -> Flatten.
        OnnxGraphBuilder b = OnnxGraphBuilder.create("conv_head", 13);
        String x = b.input("image", -1, 3, 4, 4);
        String fire = b.node("Relu", List.of(x), "fire9");
        String dropped = b.node("Dropout", List.of(fire), "fire9_dropped");
        String w = b.floats("W", new float[2 * 3], 2, 3, 1, 1);
        String conv = b.node("Conv", List.of(dropped, w), "conv10");
        String relu = b.node("Relu", List.of(conv), "conv10_relu");
        String gap = b.node("GlobalAveragePool", List.of(relu), "gap");
        b.node("Flatten", List.of(gap), "scores", Attr.i("axis", 1));
        b.output("scores", -1, 2);
        assertThat(EmbeddingLocator.locate(graph(b))).contains("fire9_dropped");
    }

    @Test
    void findsNothingForAnUnrecognisedHeadOrAClassifierFedByTheImage() {
        OnnxGraphBuilder concat = OnnxGraphBuilder.create("concat_head", 13);
        String x = concat.input("image", -1, 2);
        concat.node("Concat", List.of(x, x), "scores", Attr.i("axis", 1));
        concat.output("scores", -1, 4);
        assertThat(EmbeddingLocator.locate(graph(concat))).isEmpty();

        OnnxGraphBuilder direct = OnnxGraphBuilder.create("direct", 13);
        String in = direct.input("image", -1, 3);
        String w = direct.floats("W", new float[6], 2, 3);
        direct.node("Gemm", List.of(in, w), "scores", Attr.i("transB", 1));
        direct.output("scores", -1, 2);
        assertThat(EmbeddingLocator.locate(graph(direct))).isEmpty();
    }

    @Test
    void findsTheClassifierInputOfTorchvisionShapedNetworks() {
        record Case(String name, byte[] onnx, String producer) {
        }
        List<Case> cases = List.of(
                new Case("resnet18", OnnxNetworks.resNet18(13, TensorEncoding.RAW_DATA, 1), "Flatten"),
                new Case("mobilenet_v2", OnnxNetworks.mobileNetV2(13, TensorEncoding.RAW_DATA, 1), "Dropout"),
                new Case("squeezenet1_1", OnnxNetworks.squeezeNet11(13, TensorEncoding.RAW_DATA, 1), "Dropout"),
                new Case("lenet", OnnxNetworks.leNet(13, TensorEncoding.RAW_DATA, 1), "Relu"));
        for (Case c : cases) {
            Graph g = OnnxImporter.readGraph(c.onnx(), ImportLimits.defaults());
            String found = EmbeddingLocator.locate(g).orElseThrow(() -> new AssertionError("none in " + c.name()));
            Node producer = g.nodes().stream().filter(n -> n.outputs().contains(found)).findFirst().orElseThrow();
            assertThat(producer.opType()).as(c.name() + ": producer of " + found).isEqualTo(c.producer());
        }
    }

    @Test
    void squeezeNetEmbeddingIsTheFinalConvInputReducedPerChannel() {
        dev.retina.engine.model.ModelPackage p = dev.retina.engine.model.ModelPackage.fromBytes(
                OnnxNetworks.squeezeNet11(13, TensorEncoding.RAW_DATA, 1),
                java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList(),
                "{\"height\": 224, \"width\": 224}");
        ValueInfo e = p.embedding().orElseThrow();
        assertThat(e.shape().dims()).containsExactly(-1, 512, 13, 13);
        assertThat(dev.retina.engine.model.EmbeddingRows.dimension(e.shape())).isEqualTo(512);
        assertThat(p.output().name()).isEqualTo(p.model().outputs().get(0).name());
    }

    @Test
    void addedOutputMustBeAComputedValue() {
        Graph g = graph(gemmHead(false));
        assertThat(g.withAddedOutput("features").outputs()).containsExactly("scores", "features");
        assertThat(g.withAddedOutput("scores").outputs()).containsExactly("scores");
        assertThatThrownBy(() -> g.withAddedOutput("W"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'W'").hasMessageContaining("found a constant initializer");
        assertThatThrownBy(() -> g.withAddedOutput("image")).hasMessageContaining("found a graph input");
        assertThatThrownBy(() -> g.withAddedOutput("nope")).hasMessageContaining("found no such value");
    }
}
