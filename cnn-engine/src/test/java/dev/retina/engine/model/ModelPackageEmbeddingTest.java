package dev.retina.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ModelPackageEmbeddingTest {

    private static final List<String> LABELS = List.of("red", "green", "blue");
    private static Engine engine;

    @BeforeAll
    static void startEngine() {
        engine = Engine.create(2);
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    /** A seeded random 5x4 RGB image. */
    private static DecodedImage randomImage(long seed) {
        Random random = new Random(seed);
        byte[] px = new byte[5 * 4 * 3];
        random.nextBytes(px);
        return DecodedImage.ofRgb(5, 4, px);
    }

    /**
     * image [N, 3, 4, 4] -> Conv 1x1 (weights with negative entries, output "pre") -> Relu -> GlobalAveragePool ->
     * Flatten ("features") -> Gemm -> scores [N, 3]. Relu is fused into the Conv at load time unless "pre" is an
     * output.
     */
    private static byte[] convNet() {
        OnnxGraphBuilder b = OnnxGraphBuilder.create("conv_net", 13);
        String x = b.input("image", -1, 3, 4, 4);
        String w = b.floats("Wc", new float[] {1, -2, 0.5f, -1, 1, 1, 0.25f, 0.25f, -3}, 3, 3, 1, 1);
        String pre = b.node("Conv", List.of(x, w), "pre");
        String act = b.node("Relu", List.of(pre), "act");
        String gap = b.node("GlobalAveragePool", List.of(act), "gap");
        String flat = b.node("Flatten", List.of(gap), "features", Attr.i("axis", 1));
        String wg = b.floats("Wg", new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3);
        b.node("Gemm", List.of(flat, wg), "scores", Attr.i("transB", 1));
        b.output("scores", -1, 3);
        return b.build();
    }

    /** The preprocessed image (scale 1/255, 4x4) the way the package's preprocessor makes it, [3, 4, 4]. */
    private static float[] input(ModelPackage p, DecodedImage image) {
        return p.preprocessor().toBatch(List.of(image)).data();
    }

    @Test
    void locatedEmbeddingIsTheFlattenedPoolAndComesWithTheScores() {
        ModelPackage p = ModelPackage.fromBytes(convNet(), LABELS, "{\"height\": 4, \"width\": 4}");
        assertThat(p.embedding()).map(ValueInfo::name).contains("features");
        assertThat(p.output().name()).isEqualTo("scores");
        try (Session s = engine.newSession(p.model())) {
            ImageClassifier c = new ImageClassifier(p, s);
            List<DecodedImage> images = List.of(randomImage(1), randomImage(2));
            List<ImageScores> scored = c.scoreBatch(images, 2);
            for (int n = 0; n < images.size(); n++) {
                float[] in = input(p, images.get(n));
                float[] expected = reluChannelMeans(in);
                assertThat(scored.get(n).embedding()).hasSize(3);
                for (int ch = 0; ch < 3; ch++) {
                    assertThat((double) scored.get(n).embedding()[ch]).isCloseTo(expected[ch], within(1e-5));
                }
                // The scores are the embedding itself (identity Gemm); the probabilities are its softmax.
                double[] p0 = Scores.probabilities(expected, 0, 3, PreprocessSpec.OutputKind.AUTO);
                assertThat(scored.get(n).probabilities()).containsExactly(p0, within(1e-5));
                assertThat(scored.get(n).topK()).isEqualTo(c.classify(images.get(n), 2));
            }
        }
    }

    @Test
    void namedEmbeddingIsNotFusedAwayNorOverwritten() {
        ModelPackage p = ModelPackage.fromBytes(convNet(), LABELS,
                "{\"height\": 4, \"width\": 4, \"embedding\": \"pre\"}");
        assertThat(p.embedding()).map(ValueInfo::name).contains("pre");
        assertThat(p.embedding().orElseThrow().shape().dims()).containsExactly(-1, 3, 4, 4);
        try (Session s = engine.newSession(p.model())) {
            ImageClassifier c = new ImageClassifier(p, s);
            DecodedImage image = randomImage(7);
            float[] in = input(p, image);
            float[] preMeans = new float[3];
            float[] conv = conv1x1(in);
            for (int ch = 0; ch < 3; ch++) {
                for (int i = 0; i < 16; i++) {
                    preMeans[ch] += conv[ch * 16 + i] / 16f;
                }
            }
            // Repeated passes reuse the arena buffers: the embedding must still be the pre-activation value.
            for (int run = 0; run < 3; run++) {
                ImageScores scored = c.score(image, 1);
                for (int ch = 0; ch < 3; ch++) {
                    assertThat((double) scored.embedding()[ch]).isCloseTo(preMeans[ch], within(1e-5));
                }
            }
            assertThat(Math.min(preMeans[0], Math.min(preMeans[1], preMeans[2])))
                    .as("the weights make some pre-activation mean negative").isNegative();
            // The scores still see the Relu: identical to a package without the extra output.
            ModelPackage plain = ModelPackage.fromBytes(convNet(), LABELS, "{\"height\": 4, \"width\": 4}");
            try (Session s2 = engine.newSession(plain.model())) {
                assertThat(c.score(image, 3).probabilities())
                        .containsExactly(new ImageClassifier(plain, s2).score(image, 3).probabilities(), within(1e-9));
            }
        }
    }

    @Test
    void namedEmbeddingFeedingAResidualAddKeepsItsOwnValue() {
        // image -> Conv 1x1 ("branch") -> Add(branch, image) -> Relu -> pool -> Gemm: the Add (and the Relu) would be
        // fused into the conv's epilogue, which must not happen while "branch" is an output of its own.
        OnnxGraphBuilder b = OnnxGraphBuilder.create("residual_net", 13);
        String x = b.input("image", -1, 3, 4, 4);
        String w = b.floats("Wc", new float[] {1, -2, 0.5f, -1, 1, 1, 0.25f, 0.25f, -3}, 3, 3, 1, 1);
        String branch = b.node("Conv", List.of(x, w), "branch");
        String sum = b.node("Add", List.of(branch, x), "sum");
        String act = b.node("Relu", List.of(sum), "act");
        String gap = b.node("GlobalAveragePool", List.of(act), "gap");
        String flat = b.node("Flatten", List.of(gap), "features", Attr.i("axis", 1));
        String wg = b.floats("Wg", new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3);
        b.node("Gemm", List.of(flat, wg), "scores", Attr.i("transB", 1));
        b.output("scores", -1, 3);
        ModelPackage p = ModelPackage.fromBytes(b.build(), LABELS,
                "{\"height\": 4, \"width\": 4, \"embedding\": \"branch\"}");
        try (Session s = engine.newSession(p.model())) {
            DecodedImage image = randomImage(11);
            float[] in = input(p, image);
            float[] conv = conv1x1(in);
            float[] expected = new float[3];
            for (int ch = 0; ch < 3; ch++) {
                for (int i = 0; i < 16; i++) {
                    expected[ch] += conv[ch * 16 + i] / 16f;
                }
            }
            for (int run = 0; run < 3; run++) {
                ImageScores scored = new ImageClassifier(p, s).score(image, 1);
                for (int ch = 0; ch < 3; ch++) {
                    assertThat((double) scored.embedding()[ch]).isCloseTo(expected[ch], within(1e-5));
                }
            }
        }
    }

    @Test
    void namedEmbeddingThatTheModelDoesNotComputeIsRefused() {
        assertThatThrownBy(() -> ModelPackage.fromBytes(convNet(), LABELS,
                "{\"height\": 4, \"width\": 4, \"embedding\": \"penultimate\"}"))
                .isInstanceOf(ModelPackageException.class)
                .hasMessageContaining("MODEL_MISMATCH").hasMessageContaining("'penultimate'");
        assertThatThrownBy(() -> ModelPackage.fromBytes(convNet(), LABELS,
                "{\"height\": 4, \"width\": 4, \"embedding\": 3}"))
                .isInstanceOf(ModelPackageException.class)
                .hasMessageContaining("INVALID_PREPROCESS").hasMessageContaining("found the number 3");
    }

    @Test
    void packageWithoutARecognisedHeadHasNoEmbedding() {
        OnnxGraphBuilder b = OnnxGraphBuilder.create("pool_only", 13);
        String x = b.input("image", -1, 3, 4, 4);
        String gap = b.node("GlobalAveragePool", List.of(x), "gap");
        b.node("Flatten", List.of(gap), "scores", Attr.i("axis", 1));
        b.output("scores", -1, 3);
        ModelPackage p = ModelPackage.fromBytes(b.build(), LABELS, "{\"height\": 4, \"width\": 4}");
        assertThat(p.embedding()).isEmpty();
        try (Session s = engine.newSession(p.model())) {
            assertThat(new ImageClassifier(p, s).score(randomImage(3), 1).embedding()).isEmpty();
        }
    }

    private static float[] conv1x1(float[] in) {
        float[][] w = {{1, -2, 0.5f}, {-1, 1, 1}, {0.25f, 0.25f, -3}};
        float[] out = new float[48];
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 16; i++) {
                for (int c = 0; c < 3; c++) {
                    out[o * 16 + i] += w[o][c] * in[c * 16 + i];
                }
            }
        }
        return out;
    }

    private static float[] reluChannelMeans(float[] in) {
        float[] conv = conv1x1(in);
        float[] means = new float[3];
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 16; i++) {
                means[o] += Math.max(0, conv[o * 16 + i]) / 16f;
            }
        }
        return means;
    }
}
