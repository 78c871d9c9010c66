package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.streams.errors.PipelineException;
import dev.retina.streams.errors.Stage;
import dev.retina.streams.model.FixedModel;
import dev.retina.streams.model.ServingModel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The classifier on its own: distribution, top-k and the image statistics the window aggregation uses. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordClassifierTest {

    private static Engine engine;
    private static FixedModel colors;
    private static InferenceRunner runner;

    @BeforeAll
    static void start(@TempDir Path repo) {
        engine = Engine.create(1);
        colors = FixedModel.load(ColorModelPackage.write(repo, "2", 4), engine);
        runner = new InferenceRunner(2, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        runner.close();
        colors.close();
        engine.close();
    }

    @Test
    void reportsDistributionTopKAndImageStatistics() {
        RecordClassifier classifier = new RecordClassifier(ImageDecoder.withDefaults(), colors, runner, 5);
        Classification c = classifier.classify(ColorModelPackage.png(6, 3, 0x2040F0), "image/png");
        assertThat(c.model()).isEqualTo(colors.current().identity());
        assertThat(c.topK()).hasSize(3);
        assertThat(c.topK().get(0).label()).isEqualTo("blue");
        assertThat(c.probabilities()).hasSize(3);
        assertThat(Arrays.stream(c.probabilities()).sum()).isCloseTo(1.0, offset(1e-9));
        assertThat(c.probabilities()[2]).isEqualTo(c.topK().get(0).score());
        assertThat(c.width()).isEqualTo(6);
        assertThat(c.height()).isEqualTo(3);
        double luma = (0.299 * 0x20 + 0.587 * 0x40 + 0.114 * 0xF0) / 255.0;
        assertThat(c.brightness()).isCloseTo(luma, offset(1e-12));
        assertThat(c.contrast()).isCloseTo(0.0, offset(1e-6));
        assertThat(c.decodeMillis()).isPositive();
        assertThat(c.inferenceMillis()).isPositive();
    }

    @Test
    void lumaStatisticsOfHalfBlackHalfWhite() {
        DecodedImage image = DecodedImage.ofRgb(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        double[] stats = RecordClassifier.lumaMeanAndStd(image);
        assertThat(stats[0]).isCloseTo(0.5, offset(1e-12));
        assertThat(stats[1]).isCloseTo(0.5, offset(1e-12));
    }

    @Test
    void embeddingIsTheInputOfTheClassifierLayerFromTheSamePass() {
        RecordClassifier classifier = new RecordClassifier(ImageDecoder.withDefaults(), colors, runner, 1);
        Classification c = classifier.classify(ColorModelPackage.png(6, 3, 0x2040F0), "image/png");
        // The colour model's Gemm reads the flattened pooled input: the mean of each channel, scaled to [0, 1].
        assertThat(c.embedding()).hasSize(3);
        assertThat((double) c.embedding()[0]).isCloseTo(0x20 / 255.0, offset(1e-6));
        assertThat((double) c.embedding()[1]).isCloseTo(0x40 / 255.0, offset(1e-6));
        assertThat((double) c.embedding()[2]).isCloseTo(0xF0 / 255.0, offset(1e-6));
    }

    @Test
    void aForwardPassWithoutEmbeddingGivesNone() {
        ServingModel real = colors.current();
        ServingModel plain = new ServingModel(real.identity(), real.labels(), real.spec(),
            input -> real.inference().run(input));
        RecordClassifier classifier = new RecordClassifier(ImageDecoder.withDefaults(), FixedModel.of(plain, null),
            runner, 1);
        Classification c = classifier.classify(ColorModelPackage.png(4, 4, 0x00FF00));
        assertThat(c.embedding()).isNull();
        assertThat(c.topK().get(0).label()).isEqualTo("green");
    }

    @Test
    void declaredProbabilitiesOutsideZeroToOneAreAnInferenceFailure() {
        ServingModel real = colors.current();
        PreprocessSpec spec = PreprocessSpec.builder(4, 4).optOutput(PreprocessSpec.OutputKind.PROBABILITIES).build();
        ServingModel broken = new ServingModel(real.identity(), real.labels(), spec,
            input -> Tensor.of(Shape.of(1, 3), new float[] {1.5f, -0.5f, 0f}));
        RecordClassifier classifier = new RecordClassifier(ImageDecoder.withDefaults(), FixedModel.of(broken, null),
            runner, 1);
        assertThatThrownBy(() -> classifier.classify(ColorModelPackage.png(4, 4, 0x00FF00)))
            .isInstanceOfSatisfying(PipelineException.class, e -> {
                assertThat(e.reason()).isEqualTo(ErrorReason.INFERENCE);
                assertThat(e.stage()).isEqualTo(Stage.POSTPROCESS);
            })
            .hasMessageContaining("expected probabilities in [0, 1]").hasMessageContaining("found 1.5 for class 0");
    }

    @Test
    void kLargerThanTheClassCountGivesEveryClass() {
        RecordClassifier classifier = new RecordClassifier(ImageDecoder.withDefaults(), colors, runner, 100);
        assertThat(classifier.classify(ColorModelPackage.png(4, 4, 0x00FF00)).topK())
            .extracting(dev.retina.engine.model.Prediction::label).containsExactly("green", "red", "blue");
    }
}
