package dev.retina.engine.image;

import java.util.Objects;

/**
 * A decoded image normalised to 8-bit sRGB without alpha: {@code width * height * 3} bytes, row-major, each pixel
 * R, G, B (interleaved, HWC). Whatever the source was (grayscale, palette, 16-bit, CMYK, with alpha), it is
 * converted to this one form by {@link ImageDecoder}.
 *
 * <p>Immutable by contract: {@link #pixels()} hands out the backing array so preprocessing can read it without a
 * copy; callers must not modify it.
 */
public final class DecodedImage {

    private final int width;
    private final int height;
    private final byte[] rgb;
    private final ImageFileFormat format;
    private final String source;

    /**
     * @param width  width in pixels, > 0
     * @param height height in pixels, > 0
     * @param rgb    {@code width * height * 3} bytes, R G B per pixel, row-major (taken, not copied)
     * @param format the encoded format it came from, or {@code null} for an image made in memory
     * @param source short description of the source colour model, e.g. {@code "png gray 16-bit"}
     */
    public DecodedImage(int width, int height, byte[] rgb, ImageFileFormat format, String source) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be > 0, found " + width + "x" + height);
        }
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs "
                    + ((long) width * height * 3) + " bytes, found " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
        this.format = format;
        this.source = source == null ? "" : source;
    }

    /** An image made in memory from interleaved RGB bytes (taken, not copied). */
    public static DecodedImage ofRgb(int width, int height, byte[] rgb) {
        return new DecodedImage(width, height, rgb, null, "rgb 8-bit");
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing RGB bytes (HWC, 8 bits per channel); do not modify. */
    public byte[] pixels() {
        return rgb;
    }

    /** The encoded format, or {@code null} if the image was made in memory. */
    public ImageFileFormat format() {
        return format;
    }

    /** The source colour model as decoded, e.g. {@code "png palette 8-bit"}; for logs and statistics. */
    public String source() {
        return source;
    }

    /** The pixel at (x, y) as {@code 0xRRGGBB}. */
    public int rgb(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + ", " + y + ") is outside " + width + "x" + height);
        }
        int i = (y * width + x) * 3;
        return (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
    }

    /** Mean ITU-R 601 luma over all pixels, in [0, 1]: a cheap brightness summary for statistics. */
    public double meanBrightness() {
        long sum = 0;
        for (int i = 0; i < rgb.length; i += 3) {
            sum += 299L * (rgb[i] & 0xFF) + 587L * (rgb[i + 1] & 0xFF) + 114L * (rgb[i + 2] & 0xFF);
        }
        return sum / (1000.0 * 255.0 * ((long) width * height));
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width + "x" + height + (format == null ? "" : ", " + format) + ", " + source + "]";
    }
}
