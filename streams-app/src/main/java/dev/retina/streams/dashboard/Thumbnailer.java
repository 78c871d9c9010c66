package dev.retina.streams.dashboard;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.image.ImageDecodeException;
import dev.retina.engine.image.ImageDecoder;

/**
 * Makes small JPEG thumbnails as {@code data:} URIs. The image is decoded by the engine's {@link ImageDecoder}, so
 * the same byte and pixel limits apply before any pixel buffer is allocated; the thumbnail's longer side is at most
 * {@link #maxSide()} pixels (smaller images keep their size). Shrinking halves the image step by step with bilinear
 * filtering, which keeps thin shapes visible where one bilinear step would skip pixels. Thread-safe.
 */
public final class Thumbnailer {

    /** Prefix of every URI this class makes. */
    public static final String DATA_URI_PREFIX = "data:image/jpeg;base64,";

    private final ImageDecoder decoder;
    private final int maxSide;

    /**
     * @param decoder decodes the images (its limits apply)
     * @param maxSide the longest side of a thumbnail, 8 to 512 pixels
     */
    public Thumbnailer(ImageDecoder decoder, int maxSide) {
        if (maxSide < 8 || maxSide > 512) {
            throw new IllegalArgumentException("expected a thumbnail size of 8 to 512 pixels, found " + maxSide);
        }
        this.decoder = java.util.Objects.requireNonNull(decoder, "decoder");
        this.maxSide = maxSide;
    }

    public int maxSide() {
        return maxSide;
    }

    /**
     * The thumbnail of an encoded image.
     *
     * @throws ThumbnailException if the bytes are not a decodable image within the limits (its reason is the
     *     decoder's: EMPTY, UNSUPPORTED_FORMAT, CORRUPT_IMAGE, IMAGE_TOO_LARGE), or the JPEG cannot be written
     */
    public String dataUri(byte[] encoded) {
        DecodedImage image;
        try {
            image = decoder.decode(encoded);
        } catch (ImageDecodeException e) {
            throw new ThumbnailException(e.reason().name(), e.getMessage(), e);
        }
        return DATA_URI_PREFIX + Base64.getEncoder().encodeToString(jpeg(shrink(image)));
    }

    /** The size of the thumbnail of a {@code width x height} image: the longer side capped at maxSide. */
    public int[] thumbnailSize(int width, int height) {
        int longer = Math.max(width, height);
        if (longer <= maxSide) {
            return new int[] {width, height};
        }
        double scale = (double) maxSide / longer;
        return new int[] {Math.max(1, (int) Math.round(width * scale)), Math.max(1, (int) Math.round(height * scale))};
    }

    private BufferedImage shrink(DecodedImage image) {
        int w = image.width();
        int h = image.height();
        byte[] rgb = image.pixels();
        int[] target = thumbnailSize(w, h);
        // Decode only what is needed in memory: at most the source, then halves of it.
        BufferedImage current = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            int base = y * w * 3;
            for (int x = 0; x < w; x++) {
                int i = base + x * 3;
                row[x] = (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
            }
            current.setRGB(0, y, w, 1, row, 0, w);
        }
        while (w != target[0] || h != target[1]) {
            int nw = Math.max(target[0], w / 2);
            int nh = Math.max(target[1], h / 2);
            BufferedImage next = new BufferedImage(nw, nh, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = next.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(current, 0, 0, nw, nh, null);
            } finally {
                g.dispose();
            }
            current = next;
            w = nw;
            h = nh;
        }
        return current;
    }

    private static byte[] jpeg(BufferedImage image) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new ThumbnailException("ENCODE", "expected a JPEG writer in ImageIO, found none", null);
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.85f);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new ThumbnailException("ENCODE", "writing a " + image.getWidth() + "x" + image.getHeight()
                + " JPEG thumbnail failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
