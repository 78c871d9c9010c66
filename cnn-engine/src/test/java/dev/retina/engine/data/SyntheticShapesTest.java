package dev.retina.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SyntheticShapesTest {

    @Test
    void hasEightNamedClassesInLabelOrder() {
        assertThat(SyntheticShapes.classNames()).containsExactly(
                "circle", "square", "triangle", "star", "cross", "ring", "stripes", "checkerboard");
        SyntheticShapes s = new SyntheticShapes(1, 16);
        assertThat(s.labels()).isEqualTo(SyntheticShapes.classNames());
        assertThat(s.channels()).isEqualTo(3);
        assertThat(s.height()).isEqualTo(64);
        assertThat(s.width()).isEqualTo(64);
    }

    @Test
    void sameSeedGivesIdenticalPixelsInAnyOrder() {
        SyntheticShapes a = new SyntheticShapes(42, 24);
        SyntheticShapes b = new SyntheticShapes(42, 24);
        byte[] pa = new byte[64 * 64 * 3];
        byte[] pb = new byte[64 * 64 * 3];
        for (int i = 23; i >= 0; i--) {
            a.pixels(i, pa);
            b.pixels(i, pb);
            assertThat(pa).as("sample %d", i).isEqualTo(pb);
            assertThat(a.label(i)).isEqualTo(b.label(i));
        }
        // Order independence: generating sample 5 after sample 20 gives the same pixels as before.
        byte[] first = new byte[pa.length];
        a.pixels(5, first);
        a.pixels(20, pa);
        a.pixels(5, pb);
        assertThat(pb).isEqualTo(first);
    }

    @Test
    void differentSeedsAndIndicesGiveDifferentImages() {
        byte[] x = new byte[64 * 64 * 3];
        byte[] y = new byte[64 * 64 * 3];
        new SyntheticShapes(1, 8).pixels(3, x);
        new SyntheticShapes(2, 8).pixels(3, y);
        assertThat(x).isNotEqualTo(y);
        new SyntheticShapes(1, 16).pixels(11, y);
        assertThat(x).isNotEqualTo(y);
    }

    @Test
    void labelsAreBalancedAndMatchSampleKind() {
        SyntheticShapes s = new SyntheticShapes(3, 80);
        int[] counts = new int[8];
        for (int i = 0; i < s.size(); i++) {
            counts[s.label(i)]++;
            assertThat(s.sample(i).label()).isEqualTo(s.label(i));
            assertThat(s.sample(i).kind().label()).isEqualTo(s.labels().get(s.label(i)));
        }
        assertThat(counts).containsOnly(10);
    }

    @Test
    void imagesVaryInColourAndAreNotFlat() {
        SyntheticShapes s = new SyntheticShapes(9, 40);
        byte[] p = new byte[64 * 64 * 3];
        double[] means = new double[40];
        for (int i = 0; i < 40; i++) {
            s.pixels(i, p);
            long sum = 0;
            int min = 255;
            int max = 0;
            for (byte b : p) {
                int v = b & 0xFF;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            means[i] = sum / (double) p.length;
            assertThat(max - min).as("contrast of sample %d", i).isGreaterThan(60);
        }
        double lo = Arrays.stream(means).min().orElseThrow();
        double hi = Arrays.stream(means).max().orElseThrow();
        assertThat(hi - lo).as("spread of mean brightness over samples").isGreaterThan(40);
    }

    @Test
    void pixelsMatchTheImageInRgbOrder() {
        SyntheticShapes s = new SyntheticShapes(4, 3, 32);
        BufferedImage img = s.image(2);
        byte[] p = new byte[32 * 32 * 3];
        s.pixels(2, p);
        for (int y = 0; y < 32; y += 7) {
            for (int x = 0; x < 32; x += 5) {
                int rgb = img.getRGB(x, y);
                int o = (y * 32 + x) * 3;
                assertThat(p[o] & 0xFF).isEqualTo((rgb >> 16) & 0xFF);
                assertThat(p[o + 1] & 0xFF).isEqualTo((rgb >> 8) & 0xFF);
                assertThat(p[o + 2] & 0xFF).isEqualTo(rgb & 0xFF);
            }
        }
    }

    @Test
    void writesPngFilesIntoClassFolders(@TempDir Path dir) throws IOException {
        SyntheticShapes s = new SyntheticShapes(7, 12);
        assertThat(s.writeFiles(dir, ImageFormat.PNG)).isEqualTo(12);
        for (String label : s.labels()) {
            assertThat(dir.resolve(label)).isDirectory();
        }
        Path circle = dir.resolve("circle").resolve("7-00.png");
        assertThat(circle).isRegularFile();
        BufferedImage back = ImageIO.read(circle.toFile());
        BufferedImage original = s.image(0);
        assertThat(back.getWidth()).isEqualTo(64);
        for (int y = 0; y < 64; y += 9) {
            for (int x = 0; x < 64; x += 9) {
                assertThat(back.getRGB(x, y) & 0xFFFFFF).isEqualTo(original.getRGB(x, y) & 0xFFFFFF);
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(12);
        }
        assertThat(dir.resolve("checkerboard")).isDirectoryContaining("glob:**/7-07.png");
    }

    @Test
    void writesDecodableJpegFiles(@TempDir Path dir) throws IOException {
        SyntheticShapes s = new SyntheticShapes(8, 9);
        s.writeFiles(dir, ImageFormat.JPEG);
        Path f = dir.resolve("circle").resolve("8-8.jpg");
        assertThat(f).isRegularFile();
        byte[] bytes = Files.readAllBytes(f);
        assertThat(bytes[0] & 0xFF).isEqualTo(0xFF);
        assertThat(bytes[1] & 0xFF).isEqualTo(0xD8);
        BufferedImage back = ImageIO.read(f.toFile());
        assertThat(back.getWidth()).isEqualTo(64);
        assertThat(back.getHeight()).isEqualTo(64);
    }

    @Test
    void rejectsBadArgumentsWithClearMessages() {
        assertThatThrownBy(() -> new SyntheticShapes(1, -1)).hasMessageContaining("count must be >= 0, found -1");
        assertThatThrownBy(() -> new SyntheticShapes(1, 5, 8)).hasMessageContaining("found 8");
        SyntheticShapes s = new SyntheticShapes(1, 5);
        assertThatThrownBy(() -> s.sample(5)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("index 5 outside [0, 5)");
        assertThatThrownBy(() -> s.pixels(0, new byte[10])).hasMessageContaining("need 12288, found 10");
        assertThatThrownBy(() -> ImageFormat.parse("gif")).hasMessageContaining("expected png or jpeg");
        assertThat(ImageFormat.parse("JPG")).isEqualTo(ImageFormat.JPEG);
    }
}
