package dev.retina.engine.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Image file formats the data tools can write. */
public enum ImageFormat {
    PNG("png", "image/png"),
    JPEG("jpg", "image/jpeg");

    private final String extension;
    private final String contentType;

    ImageFormat(String extension, String contentType) {
        this.extension = extension;
        this.contentType = contentType;
    }

    /** File name extension without the dot. */
    public String extension() {
        return extension;
    }

    /** The MIME type, as carried in an image record's content type. */
    public String contentType() {
        return contentType;
    }

    /** Encodes an image with ImageIO's writer for this format (JPEG at the writer's default quality). */
    public byte[] encode(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            if (!ImageIO.write(image, extension, out)) {
                throw new IllegalStateException("no ImageIO writer for " + this + " and image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + this + " in memory failed", e);
        }
        return out.toByteArray();
    }

    /** Parses {@code png}, {@code jpeg} or {@code jpg}, case-insensitively. */
    public static ImageFormat parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "png":
                return PNG;
            case "jpg":
            case "jpeg":
                return JPEG;
            default:
                throw new IllegalArgumentException("unknown image format '" + text + "', expected png or jpeg");
        }
    }
}
