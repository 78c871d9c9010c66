package dev.retina.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.image.DecodedImage;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ImageClassifierTest {

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

    private static DecodedImage solid(int w, int h, int r, int g, int b) {
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return DecodedImage.ofRgb(w, h, px);
    }

    @Test
    void classifiesByDominantColourWithSoftmaxOverLogits() {
        ModelPackage p = ModelPackage.fromBytes(TinyClassifiers.onnx(3, 4, 4, 3, false), LABELS,
                "{\"height\": 4, \"width\": 4, \"output\": \"logits\"}");
        try (Session s = engine.newSession(p.model())) {
            ImageClassifier c = new ImageClassifier(p, s);
            // A 10x6 pure green image resized to 4x4: means (0, 1, 0) -> logits (0, 10, 0)
            List<Prediction> top = c.classify(solid(10, 6, 0, 255, 0), 2);
            double z = 1 + 2 * Math.exp(-10);
            assertThat(top).hasSize(2);
            assertThat(top.get(0).label()).isEqualTo("green");
            assertThat(top.get(0).index()).isEqualTo(1);
            assertThat(top.get(0).score()).isCloseTo(1 / z, within(1e-6));
            assertThat(top.get(1).label()).isEqualTo("red"); // tie with blue: lower index first
            assertThat(top.get(1).score()).isCloseTo(Math.exp(-10) / z, within(1e-6));
        }
    }

    @Test
    void batchesKeepInputOrder() {
        ModelPackage p = ModelPackage.fromBytes(TinyClassifiers.onnx(3, 4, 4, 3, false), LABELS,
                "{\"height\": 4, \"width\": 4}");
        try (Session s = engine.newSession(p.model())) {
            List<List<Prediction>> out = new ImageClassifier(p, s).classifyBatch(List.of(
                    solid(4, 4, 0, 0, 200), solid(5, 5, 200, 0, 0), solid(8, 4, 0, 200, 0)), 1);
            assertThat(out).extracting(l -> l.get(0).label()).containsExactly("blue", "red", "green");
        }
    }

    @Test
    void aModelEndingInSoftmaxIsNotSoftmaxedTwice() {
        ModelPackage logits = ModelPackage.fromBytes(TinyClassifiers.onnx(3, 4, 4, 3, false), LABELS,
                "{\"height\": 4, \"width\": 4, \"output\": \"logits\"}");
        ModelPackage auto = ModelPackage.fromBytes(TinyClassifiers.onnx(3, 4, 4, 3, true), LABELS,
                "{\"height\": 4, \"width\": 4, \"output\": \"auto\"}");
        ModelPackage declared = ModelPackage.fromBytes(TinyClassifiers.onnx(3, 4, 4, 3, true), LABELS,
                "{\"height\": 4, \"width\": 4, \"output\": \"probabilities\"}");
        DecodedImage img = solid(4, 4, 30, 60, 90);
        try (Session a = engine.newSession(logits.model()); Session b = engine.newSession(auto.model());
             Session d = engine.newSession(declared.model())) {
            List<Prediction> expected = new ImageClassifier(logits, a).classify(img, 3);
            List<Prediction> fromAuto = new ImageClassifier(auto, b).classify(img, 3);
            List<Prediction> fromDeclared = new ImageClassifier(declared, d).classify(img, 3);
            for (int i = 0; i < 3; i++) {
                assertThat(fromAuto.get(i).index()).isEqualTo(expected.get(i).index());
                assertThat(fromAuto.get(i).score()).isCloseTo(expected.get(i).score(), within(1e-6));
                assertThat(fromDeclared.get(i).score()).isCloseTo(expected.get(i).score(), within(1e-6));
            }
            assertThat(expected.get(0).label()).isEqualTo("blue");
        }
    }

    @Test
    void rejectsANonPositiveK() {
        ModelPackage p = ModelPackage.fromBytes(TinyClassifiers.onnx(3, 4, 4, 3, false), LABELS,
                "{\"height\": 4, \"width\": 4}");
        try (Session s = engine.newSession(p.model())) {
            assertThatThrownBy(() -> new ImageClassifier(p, s).classify(solid(4, 4, 1, 2, 3), 0))
                    .hasMessageContaining("k must be >= 1, found 0");
        }
    }
}
