package dev.retina.engine.image;

import java.util.Optional;

/** The encoded image formats the decoder accepts, recognised by their file signature (magic bytes). */
public enum ImageFileFormat {
    /** JPEG: baseline, progressive, grayscale, RGB/YCbCr, CMYK and YCCK (through the TwelveMonkeys plug-in). */
    JPEG("jpeg"),
    /** PNG: 1 to 16 bits, grayscale, RGB, palette, with or without alpha. */
    PNG("png"),
    /** GIF 87a/89a; only the first frame is decoded. */
    GIF("gif"),
    /** Windows BMP. */
    BMP("bmp");

    private final String imageIoName;

    ImageFileFormat(String imageIoName) {
        this.imageIoName = imageIoName;
    }

    /** The format name ImageIO registers readers under. */
    public String imageIoName() {
        return imageIoName;
    }

    /** The format whose signature starts {@code bytes}, if any. */
    public static Optional<ImageFileFormat> detect(byte[] bytes) {
        if (startsWith(bytes, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(bytes, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(PNG);
        }
        if (startsWith(bytes, 'G', 'I', 'F', '8', '7', 'a') || startsWith(bytes, 'G', 'I', 'F', '8', '9', 'a')) {
            return Optional.of(GIF);
        }
        if (startsWith(bytes, 'B', 'M')) {
            return Optional.of(BMP);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, int... signature) {
        if (bytes.length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((bytes[i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
