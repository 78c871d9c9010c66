package dev.retina.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.onnx.ImportLimits;
import dev.retina.engine.tensor.Shape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ModelPackageTest {

    private static final String SPEC_4X4 = "{\"height\": 4, \"width\": 4, \"output\": \"logits\"}";
    private static final String LABELS = "red\ngreen\nblue\n";

    @TempDir
    Path dir;

    @Test
    void loadsADirectoryAndChecksItsParts() throws IOException {
        byte[] onnx = TinyClassifiers.onnx(3, 4, 4, 3, false);
        ModelPackage p = ModelPackage.load(TinyClassifiers.writePackage(dir, onnx, LABELS, SPEC_4X4));

        assertThat(p.labels()).containsExactly("red", "green", "blue");
        assertThat(p.classCount()).isEqualTo(3);
        assertThat(p.spec().height()).isEqualTo(4);
        assertThat(p.spec().output()).isEqualTo(PreprocessSpec.OutputKind.LOGITS);
        assertThat(p.input().name()).isEqualTo("image");
        assertThat(p.input().shape()).isEqualTo(Shape.of(-1, 3, 4, 4));
        assertThat(p.output().name()).isEqualTo("scores");
        assertThat(p.sha256()).hasSize(64).isEqualTo(ModelPackage.sha256(onnx));
        assertThat(p.model().operatorCounts()).containsEntry("Gemm", 1);
        assertThat(p.preprocessor().elementsPerImage()).isEqualTo(48);
    }

    @Test
    void sha256IsLowerCaseHex() {
        // FIPS 180-2 test vector for "abc"
        assertThat(ModelPackage.sha256("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        byte[] onnx = TinyClassifiers.onnx(3, 4, 4, 3, false);
        assertMissing(TinyClassifiers.writePackage(dir.resolve("a"), null, LABELS, SPEC_4X4), "model.onnx");
        assertMissing(TinyClassifiers.writePackage(dir.resolve("b"), onnx, null, SPEC_4X4), "labels.txt");
        assertMissing(TinyClassifiers.writePackage(dir.resolve("c"), onnx, LABELS, null), "preprocess.json");
        assertThatThrownBy(() -> ModelPackage.load(dir.resolve("nowhere")))
                .isInstanceOfSatisfying(ModelPackageException.class,
                        e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.MISSING_FILE))
                .hasMessageContaining("expected a model package directory").hasMessageContaining("nowhere");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> ModelPackage.load(file)).hasMessageContaining("found a file at");
    }

    @Test
    void labelCountMustMatchTheModelOutput() throws IOException {
        Path p = TinyClassifiers.writePackage(dir, TinyClassifiers.onnx(3, 4, 4, 3, false), "a\nb\nc\nd\n", SPEC_4X4);
        assertThatThrownBy(() -> ModelPackage.load(p))
                .isInstanceOfSatisfying(ModelPackageException.class,
                        e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.MODEL_MISMATCH))
                .hasMessageContaining("first output 'scores' has shape [-1, 3] = 3 classes, but labels.txt has 4 labels");
    }

    @Test
    void inputShapeMustMatchTheSpec() throws IOException {
        byte[] onnx = TinyClassifiers.onnx(3, 4, 4, 3, false);
        Path size = TinyClassifiers.writePackage(dir.resolve("size"), onnx, LABELS, "{\"height\": 8, \"width\": 4}");
        assertThatThrownBy(() -> ModelPackage.load(size)).hasMessageContaining(
                "preprocess.json produces input [N, 3, 8, 4] (nchw, color_mode rgb, 8x4), but the model input "
                        + "'image' has shape [-1, 3, 4, 4]");
        Path gray = TinyClassifiers.writePackage(dir.resolve("gray"), onnx, LABELS,
                "{\"height\": 4, \"width\": 4, \"color_mode\": \"grayscale\"}");
        assertThatThrownBy(() -> ModelPackage.load(gray)).hasMessageContaining("[N, 1, 4, 4]");
        Path nhwc = TinyClassifiers.writePackage(dir.resolve("nhwc"), onnx, LABELS,
                "{\"height\": 4, \"width\": 4, \"layout\": \"nhwc\"}");
        assertThatThrownBy(() -> ModelPackage.load(nhwc)).hasMessageContaining("[N, 4, 4, 3] (nhwc");
    }

    @Test
    void invalidLabelsAndSpecsKeepTheirReasons() throws IOException {
        byte[] onnx = TinyClassifiers.onnx(3, 4, 4, 3, false);
        Path dup = TinyClassifiers.writePackage(dir.resolve("dup"), onnx, "a\nb\na\n", SPEC_4X4);
        assertThatThrownBy(() -> ModelPackage.load(dup)).isInstanceOfSatisfying(ModelPackageException.class,
                e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.INVALID_LABELS));
        Path spec = TinyClassifiers.writePackage(dir.resolve("spec"), onnx, LABELS, "{\"height\": 4,}");
        assertThatThrownBy(() -> ModelPackage.load(spec)).isInstanceOfSatisfying(ModelPackageException.class,
                e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.INVALID_PREPROCESS))
                .hasMessageContaining("line 1, column 14");
    }

    @Test
    void brokenOnnxIsAModelLoadError() throws IOException {
        byte[] onnx = TinyClassifiers.onnx(3, 4, 4, 3, false);
        byte[] truncated = java.util.Arrays.copyOf(onnx, onnx.length / 2);
        Path p = TinyClassifiers.writePackage(dir, truncated, LABELS, SPEC_4X4);
        assertThatThrownBy(() -> ModelPackage.load(p)).isInstanceOf(ModelLoadException.class);
    }

    @Test
    void modelFilesOverTheImportLimitAreNotRead() throws IOException {
        byte[] onnx = TinyClassifiers.onnx(3, 4, 4, 3, false);
        Path p = TinyClassifiers.writePackage(dir, onnx, LABELS, SPEC_4X4);
        ImportLimits tight = ImportLimits.defaults().withMaxFileBytes(onnx.length - 1);
        assertThatThrownBy(() -> ModelPackage.load(p, tight))
                .isInstanceOfSatisfying(ModelPackageException.class,
                        e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.TOO_LARGE))
                .hasMessageContaining(p.resolve("model.onnx") + " has " + onnx.length + " bytes, the limit is "
                        + (onnx.length - 1) + " bytes");
        assertThat(ModelPackage.load(p, ImportLimits.defaults().withMaxFileBytes(onnx.length)).classCount())
                .isEqualTo(3);
    }

    @Test
    void fromBytesChecksTheAnnouncedSha256First() {
        byte[] onnx = TinyClassifiers.onnx(3, 4, 4, 3, false);
        String sha = ModelPackage.sha256(onnx);
        ModelPackage p = ModelPackage.fromBytes(onnx, List.of("red", "green", "blue"), SPEC_4X4, sha.toUpperCase());
        assertThat(p.sha256()).isEqualTo(sha);
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> ModelPackage.fromBytes(onnx, List.of("red", "green", "blue"), SPEC_4X4, wrong))
                .isInstanceOfSatisfying(ModelPackageException.class,
                        e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.SHA256_MISMATCH))
                .hasMessageContaining("expected model bytes with SHA-256 " + wrong + ", found " + sha);
        ModelPackage fromFiles = ModelPackage.fromBytes(onnx, LABELS.getBytes(StandardCharsets.UTF_8),
                SPEC_4X4.getBytes(StandardCharsets.UTF_8));
        assertThat(fromFiles.labels()).isEqualTo(p.labels());
    }

    private static void assertMissing(Path packageDir, String file) {
        assertThatThrownBy(() -> ModelPackage.load(packageDir))
                .isInstanceOfSatisfying(ModelPackageException.class,
                        e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.MISSING_FILE))
                .hasMessageContaining("expected the file " + packageDir.resolve(file) + ", found nothing");
    }
}
