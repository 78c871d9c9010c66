package dev.retina.engine.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG, PNG, GIF (first frame) and BMP bytes into a {@link DecodedImage}: 8-bit sRGB, no alpha.
 *
 * <h2>Safety: header first</h2>
 * Before any pixel buffer exists the decoder checks, in this order: the byte count against {@code maxBytes}; the
 * file signature (only the four formats above); the width and height from the header (ImageIO's
 * {@code getWidth/getHeight}, which parse only the header) against {@code maxPixels}. A file that claims
 * 100000 x 100000 pixels is rejected with {@link ImageDecodeException.Reason#IMAGE_TOO_LARGE} after reading a few
 * bytes. Truncated data is {@link ImageDecodeException.Reason#CORRUPT_IMAGE}, including a JPEG whose entropy-coded
 * data ends early (which ImageIO would otherwise return half grey with only a warning).
 *
 * <h2>Colour</h2>
 * Grayscale replicates the stored value into R, G and B; palette images use their palette; 16-bit samples are
 * rounded to 8 bits; CMYK and YCCK JPEGs are converted to sRGB by the TwelveMonkeys JPEG plug-in (found through
 * ImageIO's service registry). Alpha (PNG alpha channels, tRNS, GIF transparency) is composited over the
 * background colour, <b>white ({@code 0xFFFFFF}) by default</b> — what a transparent image looks like on a page.
 *
 * <p>Immutable and thread-safe: each call creates its own ImageIO reader, so many stream threads can share one
 * decoder.
 */
public final class ImageDecoder {

    /** Default pixel limit: 40 megapixels (a 40 MP RGB image needs 120 MB decoded). */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /** Default encoded-size limit: 50 MiB. */
    public static final long DEFAULT_MAX_BYTES = 50L * 1024 * 1024;
    /** Default background for alpha compositing: white. */
    public static final int DEFAULT_BACKGROUND = 0xFFFFFF;

    private final long maxPixels;
    private final long maxBytes;
    private final int background;

    private ImageDecoder(long maxPixels, long maxBytes, int background) {
        this.maxPixels = maxPixels;
        this.maxBytes = maxBytes;
        this.background = background;
    }

    /** A decoder with the default limits and a white background. */
    public static ImageDecoder withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Largest accepted width x height. */
    public long maxPixels() {
        return maxPixels;
    }

    /** Largest accepted encoded size in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Background colour (0xRRGGBB) that alpha is composited over. */
    public int background() {
        return background;
    }

    /**
     * Reads and decodes a file; the size limit is checked before the file is read.
     *
     * @throws IOException           if the file cannot be read (e.g. {@link java.nio.file.NoSuchFileException})
     * @throws ImageDecodeException  if the contents are not an acceptable image
     */
    public DecodedImage decode(Path file) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new ImageDecodeException(ImageDecodeException.Reason.IMAGE_TOO_LARGE,
                    "file " + file + " has " + size + " bytes, the limit is " + maxBytes + " bytes");
        }
        return decode(Files.readAllBytes(file));
    }

    /**
     * Decodes an encoded image.
     *
     * @throws ImageDecodeException with the reason and what was found
     */
    public DecodedImage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ImageDecodeException(ImageDecodeException.Reason.EMPTY,
                    "expected an encoded image, found 0 bytes");
        }
        if (bytes.length > maxBytes) {
            throw new ImageDecodeException(ImageDecodeException.Reason.IMAGE_TOO_LARGE,
                    "encoded image has " + bytes.length + " bytes, the limit is " + maxBytes + " bytes");
        }
        ImageFileFormat format = ImageFileFormat.detect(bytes).orElseThrow(() -> new ImageDecodeException(
                ImageDecodeException.Reason.UNSUPPORTED_FORMAT,
                "expected a JPEG, PNG, GIF or BMP signature, found first bytes " + hexPrefix(bytes)
                        + " (" + bytes.length + " bytes)"));
        checkBmpHeader(format, bytes);
        ImageReader reader = readerFor(format);
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            reader.setInput(in, true, true);
            int width;
            int height;
            try {
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw corrupt(format, "its header cannot be read", e);
            }
            if (width <= 0 || height <= 0) {
                throw corrupt(format, "its header declares " + width + "x" + height + " pixels", null);
            }
            long pixels = (long) width * height;
            if (pixels > maxPixels) {
                throw new ImageDecodeException(ImageDecodeException.Reason.IMAGE_TOO_LARGE,
                        format + " header declares " + width + "x" + height + " = " + pixels
                                + " pixels, the limit is " + maxPixels + " pixels");
            }
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw corrupt(format, "its " + width + "x" + height + " pixel data cannot be decoded", e);
            }
            for (String warning : warnings) {
                if (isTruncation(warning)) {
                    throw corrupt(format, "its " + width + "x" + height + " pixel data is truncated (" + warning
                            + ")", null);
                }
            }
            if (image.getWidth() != width || image.getHeight() != height) {
                throw corrupt(format, "the header declares " + width + "x" + height + " but the decoder produced "
                        + image.getWidth() + "x" + image.getHeight(), null);
            }
            String source = format.imageIoName() + " " + RgbConversion.describe(image.getColorModel());
            return new DecodedImage(width, height, RgbConversion.toRgb(image, background), format, source);
        } catch (IOException e) {
            throw corrupt(format, "reading it failed", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Converts an image already in memory (e.g. a generated one) the same way decoded images are converted. The
     * pixel limit applies; the byte limit does not.
     */
    public DecodedImage fromBufferedImage(BufferedImage image) {
        long pixels = (long) image.getWidth() * image.getHeight();
        if (pixels > maxPixels) {
            throw new ImageDecodeException(ImageDecodeException.Reason.IMAGE_TOO_LARGE,
                    "image has " + image.getWidth() + "x" + image.getHeight() + " = " + pixels
                            + " pixels, the limit is " + maxPixels + " pixels");
        }
        return new DecodedImage(image.getWidth(), image.getHeight(), RgbConversion.toRgb(image, background), null,
                "memory " + RgbConversion.describe(image.getColorModel()));
    }

    /**
     * The JDK's BMP reader rejects a header whose width x height overflows an int before it reports the size, so
     * the dimensions of the BITMAPINFOHEADER family (header size >= 40: signed 32-bit width and height at offsets
     * 18 and 22, negative height meaning top-down) are checked here first, to report such files as too large.
     */
    private void checkBmpHeader(ImageFileFormat format, byte[] bytes) {
        if (format != ImageFileFormat.BMP || bytes.length < 26) {
            return;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(14) < 40) {
            return; // OS/2 core header: 16-bit dimensions, cannot overflow; the reader checks it
        }
        long width = Math.abs((long) b.getInt(18));
        long height = Math.abs((long) b.getInt(22));
        if (width * height > maxPixels) {
            throw new ImageDecodeException(ImageDecodeException.Reason.IMAGE_TOO_LARGE,
                    format + " header declares " + width + "x" + height + " = " + width * height
                            + " pixels, the limit is " + maxPixels + " pixels");
        }
    }

    private static ImageReader readerFor(ImageFileFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        if (!readers.hasNext()) {
            throw new ImageDecodeException(ImageDecodeException.Reason.UNSUPPORTED_FORMAT,
                    "no ImageIO reader is registered for " + format + " on this class path");
        }
        // The registry orders plug-ins; for JPEG the TwelveMonkeys reader (CMYK, YCCK) ranks before the JDK's.
        return readers.next();
    }

    /** Warnings that mean pixel data is missing, as the JPEG readers phrase them. */
    private static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end") || w.contains("truncated") && !w.contains("missing eoi");
    }

    private static ImageDecodeException corrupt(ImageFileFormat format, String what, Throwable cause) {
        String detail = cause == null ? "" : ": " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : " " + cause.getMessage());
        return new ImageDecodeException(ImageDecodeException.Reason.CORRUPT_IMAGE,
                "the data looks like " + format + " but " + what + detail, cause);
    }

    private static String hexPrefix(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", bytes[i] & 0xFF));
        }
        return sb.toString();
    }

    /** Builder; every setting is optional ({@code opt...}) and validated on {@link #build()}. */
    public static final class Builder {
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private long maxBytes = DEFAULT_MAX_BYTES;
        private int background = DEFAULT_BACKGROUND;

        private Builder() {
        }

        /** Largest accepted width x height (> 0). */
        public Builder optMaxPixels(long value) {
            this.maxPixels = value;
            return this;
        }

        /** Largest accepted encoded size in bytes (> 0). */
        public Builder optMaxBytes(long value) {
            this.maxBytes = value;
            return this;
        }

        /** Background colour 0xRRGGBB for alpha compositing, e.g. {@code 0x000000} for black. */
        public Builder optBackground(int rgb) {
            this.background = rgb;
            return this;
        }

        /** @throws IllegalArgumentException for a non-positive limit or a colour outside 0x000000..0xFFFFFF */
        public ImageDecoder build() {
            if (maxPixels <= 0) {
                throw new IllegalArgumentException("maxPixels must be > 0, found " + maxPixels);
            }
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("maxBytes must be > 0, found " + maxBytes);
            }
            if ((background & ~0xFFFFFF) != 0) {
                throw new IllegalArgumentException(String.format(
                        "background must be an RGB value 0x000000..0xFFFFFF, found 0x%X", background));
            }
            return new ImageDecoder(maxPixels, maxBytes, background);
        }
    }
}
