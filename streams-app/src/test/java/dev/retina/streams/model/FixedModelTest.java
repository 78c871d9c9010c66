package dev.retina.streams.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.ModelPackageException;
import dev.retina.engine.tensor.Tensor;
import dev.retina.streams.ColorModelPackage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FixedModelTest {

    private static Engine engine;

    @TempDir
    Path repo;

    @BeforeAll
    static void start() {
        engine = Engine.create(1);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void loadsAPackageWithIdentityFromTheRepositoryLayout() throws IOException {
        Path dir = ColorModelPackage.write(repo, "7", 4);
        try (FixedModel model = FixedModel.load(dir, engine)) {
            ServingModel serving = model.current();
            assertThat(serving.identity().name()).isEqualTo("colors");
            assertThat(serving.identity().version()).isEqualTo("7");
            assertThat(serving.identity().sha256())
                .isEqualTo(ModelPackage.sha256(Files.readAllBytes(dir.resolve("model.onnx"))));
            assertThat(serving.labels()).containsExactly("red", "green", "blue");
            assertThat(serving.spec().height()).isEqualTo(4);
            Tensor out = serving.inference().run(Tensor.zeros(serving.preprocessor().inputShape(1)));
            assertThat(out.data()).containsExactly(0f, 0f, 0f);
        }
    }

    @Test
    void aServingModelMustCarryItsPackagesDigest() {
        ModelPackage pkg = ModelPackage.load(ColorModelPackage.write(repo, "2", 4));
        ModelIdentity other = new ModelIdentity("colors", "2", "0".repeat(64));
        assertThatThrownBy(() -> ServingModel.of(other, pkg, input -> input))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(pkg.sha256());
    }

    @Test
    void labelCountMustMatchTheOutput() throws IOException {
        Path dir = ColorModelPackage.write(repo, "1", 4);
        Files.writeString(dir.resolve("labels.txt"), "red\ngreen\nblue\ncyan\n");
        assertThatThrownBy(() -> FixedModel.load(dir, engine))
            .isInstanceOf(ModelPackageException.class)
            .hasMessageContaining("MODEL_MISMATCH")
            .hasMessageContaining("labels.txt has 4 labels")
            .hasMessageContaining(dir.toString());
    }

    @Test
    void specMustMatchTheModelInput() {
        Path dir = ColorModelPackage.write(repo, "1", 4, "{\"height\": 8, \"width\": 8}");
        assertThatThrownBy(() -> FixedModel.load(dir, engine))
            .isInstanceOf(ModelPackageException.class)
            .hasMessageContaining("MODEL_MISMATCH")
            .hasMessageContaining("[N, 3, 8, 8]")
            .hasMessageContaining("[-1, 3, 4, 4]");
    }

    @Test
    void missingFilesAndDirectoriesAreNamed() throws IOException {
        Path dir = ColorModelPackage.write(repo, "1", 4);
        Files.delete(dir.resolve("preprocess.json"));
        assertThatThrownBy(() -> FixedModel.load(dir, engine))
            .isInstanceOf(ModelPackageException.class)
            .hasMessageContaining("MISSING_FILE")
            .hasMessageContaining("preprocess.json");
        assertThatThrownBy(() -> FixedModel.load(repo.resolve("nothing"), engine))
            .isInstanceOf(ModelPackageException.class)
            .hasMessageContaining("found nothing at")
            .hasMessageContaining("nothing");
    }

    @Test
    void invalidOnnxIsRejectedByTheImporter() throws IOException {
        Path dir = ColorModelPackage.write(repo, "1", 4);
        Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5});
        assertThatThrownBy(() -> FixedModel.load(dir, engine)).isInstanceOf(ModelLoadException.class);
    }

    @Test
    void identityIsValidated() {
        assertThatThrownBy(() -> new ModelIdentity("m", "1", "ABC"))
            .hasMessageContaining("lower-case hex SHA-256");
        assertThatThrownBy(() -> new ModelIdentity(" ", "1", "0".repeat(64)))
            .hasMessageContaining("must not be blank");
    }
}
