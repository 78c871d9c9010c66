package dev.retina.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.retina.engine.data.ImageFormat;
import dev.retina.engine.data.SyntheticShapes;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.image.Preprocessor;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped demo models (repository folder models/shapes/1 and /2): each is a valid package under 1 MB,
 * our engine and ONNX Runtime agree on it, and it classifies fresh synthetic images well. The accuracy
 * bar of record (>= 97% on 2,000 images) is measured with {@code retina evaluate}, see MODELS.md; this
 * test uses a smaller sample to stay fast.
 */
@Timeout(120)
class ShippedModelsTest {

    private static final int IMAGES = 96;
    /** Never used for training (MODELS.md lists the training seeds). */
    private static final long SEED = 4242;

    private static Path packageDir(String version) {
        Path dir = Path.of("..", "models", "shapes", version);
        assertThat(dir).as("shipped model package (run from the cnn-engine module)").isDirectory();
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2"})
    void engineAndOnnxRuntimeAgreeAndTheModelClassifiesWell(String version) throws Exception {
        Path dir = packageDir(version);
        assertThat(Files.size(dir.resolve("model.onnx"))).isLessThan(1024 * 1024);
        ModelPackage pkg = ModelPackage.load(dir);
        assertThat(pkg.labels()).isEqualTo(SyntheticShapes.classNames());

        SyntheticShapes shapes = new SyntheticShapes(SEED, IMAGES);
        ImageDecoder decoder = ImageDecoder.withDefaults();
        List<DecodedImage> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            images.add(decoder.decode(ImageFormat.PNG.encode(shapes.image(i))));
        }
        Preprocessor preprocessor = pkg.preprocessor();
        Tensor batch = preprocessor.toBatch(images);
        float[] ours;
        try (Engine engine = Engine.create(2); Session session = engine.newSession(pkg.model())) {
            ours = session.run(batch).data();
        }
        float[] ort;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(dir.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch.data()),
                     new long[] {IMAGES, 3, 64, 64});
             OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, input))) {
            float[][] rows = (float[][]) result.get(0).getValue();
            ort = new float[IMAGES * 8];
            for (int i = 0; i < IMAGES; i++) {
                System.arraycopy(rows[i], 0, ort, i * 8, 8);
            }
        }
        double maxDiff = 0;
        int correct = 0;
        for (int i = 0; i < IMAGES; i++) {
            int a = argmax(ours, i * 8);
            int b = argmax(ort, i * 8);
            assertThat(a).as("image %d: our engine vs ONNX Runtime", i).isEqualTo(b);
            correct += a == shapes.label(i) ? 1 : 0;
            for (int c = 0; c < 8; c++) {
                maxDiff = Math.max(maxDiff, Math.abs(ours[i * 8 + c] - ort[i * 8 + c]));
            }
        }
        double accuracy = (double) correct / IMAGES;
        System.out.printf("shapes/%s: engine vs ONNX Runtime max abs diff %.3e; accuracy %.4f on %d images%n",
                version, maxDiff, accuracy, IMAGES);
        assertThat(maxDiff).isLessThan(1e-5);
        assertThat(accuracy).isGreaterThan(0.93);
    }

    private static int argmax(float[] v, int offset) {
        int best = 0;
        for (int c = 1; c < 8; c++) {
            if (v[offset + c] > v[offset + best]) {
                best = c;
            }
        }
        return best;
    }
}
