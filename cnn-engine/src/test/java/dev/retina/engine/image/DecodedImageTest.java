package dev.retina.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DecodedImageTest {

    @Test
    void pixelsAreRowMajorRgb() {
        DecodedImage img = DecodedImage.ofRgb(2, 2, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (byte) 255});
        assertThat(img.rgb(0, 0)).isEqualTo(0x010203);
        assertThat(img.rgb(1, 0)).isEqualTo(0x040506);
        assertThat(img.rgb(0, 1)).isEqualTo(0x070809);
        assertThat(img.rgb(1, 1)).isEqualTo(0x0A0BFF);
        assertThatThrownBy(() -> img.rgb(2, 0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("pixel (2, 0) is outside 2x2");
    }

    @Test
    void meanBrightnessIsTheMeanLuma() {
        // white (1.0) and pure red (0.299)
        DecodedImage img = DecodedImage.ofRgb(2, 1, new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255, 0, 0});
        assertThat(img.meanBrightness()).isCloseTo((1.0 + 0.299) / 2, within(1e-12));
    }

    @Test
    void rejectsInconsistentDimensions() {
        assertThatThrownBy(() -> DecodedImage.ofRgb(2, 2, new byte[11]))
                .hasMessageContaining("a 2x2 RGB image needs 12 bytes, found 11");
        assertThatThrownBy(() -> DecodedImage.ofRgb(0, 2, new byte[0]))
                .hasMessageContaining("image dimensions must be > 0, found 0x2");
    }

    @Test
    void formatsAreRecognisedBySignature() {
        assertThat(ImageFileFormat.detect(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0})).hasValue(ImageFileFormat.JPEG);
        assertThat(ImageFileFormat.detect(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10})).hasValue(ImageFileFormat.PNG);
        assertThat(ImageFileFormat.detect("GIF87a".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).hasValue(ImageFileFormat.GIF);
        assertThat(ImageFileFormat.detect("GIF89a".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).hasValue(ImageFileFormat.GIF);
        assertThat(ImageFileFormat.detect(new byte[] {'B', 'M'})).hasValue(ImageFileFormat.BMP);
        assertThat(ImageFileFormat.detect("GIF88a".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEmpty();
        assertThat(ImageFileFormat.detect(new byte[] {(byte) 0x89, 'P', 'N', 'G'})).isEmpty();
        assertThat(ImageFileFormat.detect(new byte[0])).isEmpty();
    }
}
