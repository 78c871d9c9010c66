package dev.retina.cli;

import java.util.Optional;

/** Recognises the image formats the pipeline decodes by their leading magic bytes. */
final class ImageFormats {

    private ImageFormats() {
    }

    /** The MIME type of {@code data} if it starts like a JPEG, PNG, GIF or BMP file. */
    static Optional<String> sniff(byte[] data) {
        if (startsWith(data, 0xFF, 0xD8, 0xFF)) {
            return Optional.of("image/jpeg");
        }
        if (startsWith(data, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of("image/png");
        }
        if (startsWith(data, 'G', 'I', 'F', '8')) {
            return Optional.of("image/gif");
        }
        if (startsWith(data, 'B', 'M')) {
            return Optional.of("image/bmp");
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] data, int... prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((data[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
