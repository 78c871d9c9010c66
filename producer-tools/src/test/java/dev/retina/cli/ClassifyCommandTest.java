package dev.retina.cli;

import static dev.retina.cli.EngineCommandFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.EngineCommandFixtures.Run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClassifyCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsOneLinePerImageWithTheTopLabels() throws IOException {
        Path pkg = EngineCommandFixtures.tinyPackage(dir.resolve("pkg"));
        Path red = EngineCommandFixtures.image(dir.resolve("red.png"), "png", 8, 6, 0xFF0000);
        Path blue = EngineCommandFixtures.image(dir.resolve("blue.bmp"), "bmp", 5, 5, 0x0000FF);

        Run r = run("classify", "--model-dir", pkg.toString(), "--top", "2", "--threads", "1", red.toString(),
                blue.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        // logits (10, 0, 0): softmax 1 / (1 + 2e-10) = 0.99991, e^-10 / (...) = 0.00005
        assertThat(r.out().split(System.lineSeparator())).containsExactly(
                red + "  red 0.9999  green 0.0000",
                blue + "  blue 0.9999  red 0.0000");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aBadImageIsReportedWithItsReasonAndTheOthersAreStillClassified() throws IOException {
        Path pkg = EngineCommandFixtures.tinyPackage(dir.resolve("pkg"));
        Path green = EngineCommandFixtures.image(dir.resolve("green.jpg"), "jpeg", 16, 16, 0x00FF00);
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image at all");
        Path empty = Files.write(dir.resolve("empty.gif"), new byte[0]);
        Path missing = dir.resolve("missing.png");

        Run r = run("classify", "--model-dir", pkg.toString(), "--top", "1", text.toString(), green.toString(),
                empty.toString(), missing.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out().split(System.lineSeparator())).hasSize(1);
        assertThat(r.out()).startsWith(green + "  green 0.99");
        assertThat(r.err()).contains(text + "  error UNSUPPORTED_FORMAT: expected a JPEG, PNG, GIF or BMP signature")
                .contains(empty + "  error EMPTY: expected an encoded image, found 0 bytes")
                .contains(missing + "  error NOT_FOUND: no such file " + missing)
                .contains("retina classify: 3 of 4 image(s) could not be classified");
    }

    @Test
    void topIsCappedAtTheLabelCount() throws IOException {
        Path pkg = EngineCommandFixtures.tinyPackage(dir.resolve("pkg"));
        Path img = EngineCommandFixtures.image(dir.resolve("gray.png"), "png", 4, 4, 0x808080);
        Run r = run("classify", "--model-dir", pkg.toString(), img.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        // equal logits: three labels at 1/3 each, in index order
        assertThat(r.out()).isEqualTo(img + "  red 0.3333  green 0.3333  blue 0.3333" + System.lineSeparator());
    }

    @Test
    void badArgumentsPrintUsageAndExitWith2() throws IOException {
        Run noImages = run("classify", "--model-dir", dir.toString());
        assertThat(noImages.exitCode()).isEqualTo(2);
        assertThat(noImages.err()).contains("Missing required parameter: 'IMAGE'").contains("Usage: retina classify");

        Run badTop = run("classify", "--model-dir", dir.toString(), "--top", "0", "x.png");
        assertThat(badTop.exitCode()).isEqualTo(2);
        assertThat(badTop.err()).contains("--top must be at least 1, found 0");

        Run noDir = run("classify", "x.png");
        assertThat(noDir.exitCode()).isEqualTo(2);
        assertThat(noDir.err()).contains("Missing required option: '--model-dir=DIR'");
    }

    @Test
    void anIncompletePackageNamesTheMissingFile() throws IOException {
        Path pkg = EngineCommandFixtures.tinyPackage(dir.resolve("pkg"));
        Files.delete(pkg.resolve("labels.txt"));
        Run r = run("classify", "--model-dir", pkg.toString(), "x.png");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("retina classify: error: MISSING_FILE: expected the file "
                + pkg.resolve("labels.txt") + ", found nothing");
    }
}
