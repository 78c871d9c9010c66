package dev.retina.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import dev.retina.engine.image.ImageDecoder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThumbnailerTest {

    private final Thumbnailer thumbnailer = new Thumbnailer(ImageDecoder.withDefaults(), 96);

    private static byte[] png(int width, int height, long seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(random.nextInt(0xFFFFFF)));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static BufferedImage decode(String uri) throws IOException {
        assertThat(uri).startsWith(Thumbnailer.DATA_URI_PREFIX);
        byte[] jpeg = Base64.getDecoder().decode(uri.substring(Thumbnailer.DATA_URI_PREFIX.length()));
        return ImageIO.read(new ByteArrayInputStream(jpeg));
    }

    @Test
    void aLargeImageIsShrunkToTheSizeCapKeepingItsAspectRatio() throws IOException {
        BufferedImage thumb = decode(thumbnailer.dataUri(png(640, 400, 1)));
        assertThat(thumb.getWidth()).isEqualTo(96);
        assertThat(thumb.getHeight()).isEqualTo(60);
        // the white disc in the middle survives the shrinking
        Color centre = new Color(thumb.getRGB(48, 30));
        assertThat(centre.getRed() + centre.getGreen() + centre.getBlue()).isGreaterThan(3 * 220);
    }

    @Test
    void aTallImageIsCappedOnItsHeight() throws IOException {
        BufferedImage thumb = decode(thumbnailer.dataUri(png(50, 300, 2)));
        assertThat(thumb.getHeight()).isEqualTo(96);
        assertThat(thumb.getWidth()).isEqualTo(16);
    }

    @Test
    void aSmallImageKeepsItsSize() throws IOException {
        BufferedImage thumb = decode(thumbnailer.dataUri(png(32, 24, 3)));
        assertThat(thumb.getWidth()).isEqualTo(32);
        assertThat(thumb.getHeight()).isEqualTo(24);
    }

    @Test
    void bytesThatAreNoImageGiveTheDecodersReason() {
        assertThatThrownBy(() -> thumbnailer.dataUri("not an image at all".getBytes()))
            .isInstanceOf(ThumbnailException.class)
            .satisfies(e -> assertThat(((ThumbnailException) e).reason()).isEqualTo("UNSUPPORTED_FORMAT"))
            .hasMessageContaining("expected a JPEG, PNG, GIF or BMP signature");
        assertThatThrownBy(() -> thumbnailer.dataUri(new byte[0]))
            .isInstanceOf(ThumbnailException.class)
            .satisfies(e -> assertThat(((ThumbnailException) e).reason()).isEqualTo("EMPTY"));
    }

    @Test
    void aTruncatedImageIsReportedAsCorrupt() throws IOException {
        byte[] png = png(200, 200, 4);
        byte[] cut = java.util.Arrays.copyOf(png, png.length / 2);
        assertThatThrownBy(() -> thumbnailer.dataUri(cut))
            .isInstanceOf(ThumbnailException.class)
            .satisfies(e -> assertThat(((ThumbnailException) e).reason()).isEqualTo("CORRUPT_IMAGE"));
    }

    @Test
    void theDecodersPixelLimitAppliesBeforeDecoding() throws IOException {
        Thumbnailer limited = new Thumbnailer(ImageDecoder.builder().optMaxPixels(10_000).build(), 96);
        assertThatThrownBy(() -> limited.dataUri(png(200, 100, 5)))
            .isInstanceOf(ThumbnailException.class)
            .satisfies(e -> assertThat(((ThumbnailException) e).reason()).isEqualTo("IMAGE_TOO_LARGE"))
            .hasMessageContaining("200x100");
    }

    @Test
    void theSizeCapIsChecked() {
        assertThatThrownBy(() -> new Thumbnailer(ImageDecoder.withDefaults(), 4))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8 to 512 pixels, found 4");
        assertThat(thumbnailer.thumbnailSize(1000, 10)).containsExactly(96, 1);
    }
}
