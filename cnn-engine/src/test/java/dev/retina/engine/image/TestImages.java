package dev.retina.engine.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Crafted image files for the decoder tests, made with ImageIO's writers (and, for CMYK/YCCK JPEG and oversized
 * headers, by patching the bytes those writers produce). Nothing is checked in; every fixture is rebuilt here.
 */
final class TestImages {

    private TestImages() {
    }

    /** Encodes with the first ImageIO writer of the format. */
    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IllegalStateException("no " + format + " writer for image type " + image.getType());
        }
        return out.toByteArray();
    }

    /** An RGB image whose pixel (x, y) is rgb[y][x] (0xRRGGBB). */
    static BufferedImage rgb(int[][] rgb) {
        BufferedImage img = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rgb.length; y++) {
            for (int x = 0; x < rgb[0].length; x++) {
                img.setRGB(x, y, rgb[y][x]);
            }
        }
        return img;
    }

    /** A w x h image of one colour. */
    static BufferedImage solid(int w, int h, int rgb, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** A seeded noise image (incompressible, so truncating its file cuts into pixel data). */
    static BufferedImage noise(int w, int h, long seed) {
        java.util.Random random = new java.util.Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, random.nextInt() & 0xFFFFFF);
            }
        }
        return img;
    }

    /** A straight-alpha RGBA image with every pixel {@code argb}. */
    static BufferedImage rgba(int w, int h, int argb) {
        return solid(w, h, argb, BufferedImage.TYPE_INT_ARGB);
    }

    /** An 8-bit gray image with the given samples (row-major). */
    static BufferedImage gray8(int w, int h, int... samples) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setPixels(0, 0, w, h, samples);
        return img;
    }

    /** A 16-bit gray image with the given samples (row-major). */
    static BufferedImage gray16(int w, int h, int... samples) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setPixels(0, 0, w, h, samples);
        return img;
    }

    /** A 16-bit-per-channel sRGB image; {@code samples} holds R, G, B per pixel. */
    static BufferedImage rgb16(int w, int h, int... samples) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16}, false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        raster.setPixels(0, 0, w, h, samples);
        return new BufferedImage(cm, raster, false, null);
    }

    /** An 8-bit gray + alpha image; {@code samples} holds gray, alpha per pixel. */
    static BufferedImage grayAlpha(int w, int h, int... samples) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        raster.setPixels(0, 0, w, h, samples);
        return new BufferedImage(cm, raster, false, null);
    }

    /** A palette image of the given ARGB palette entries, pixel (x, 0) = index x % palette size. */
    static BufferedImage palette(int w, int... argbPalette) {
        int n = argbPalette.length;
        byte[] r = new byte[n];
        byte[] g = new byte[n];
        byte[] b = new byte[n];
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
            a[i] = (byte) (argbPalette[i] >>> 24);
            r[i] = (byte) (argbPalette[i] >>> 16);
            g[i] = (byte) (argbPalette[i] >>> 8);
            b[i] = (byte) argbPalette[i];
        }
        IndexColorModel icm = new IndexColorModel(8, n, r, g, b, a);
        BufferedImage img = new BufferedImage(w, 1, BufferedImage.TYPE_BYTE_INDEXED, icm);
        for (int x = 0; x < w; x++) {
            img.getRaster().setSample(x, 0, 0, x % n);
        }
        return img;
    }

    /** A GIF animation of the given frames (all the same size). */
    static byte[] gifSequence(List<BufferedImage> frames) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            for (BufferedImage f : frames) {
                writer.writeToSequence(new IIOImage(f, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A JPEG at the given quality, progressive or baseline, written by the JDK's writer. */
    static byte[] jpeg(BufferedImage image, float quality, boolean progressive) throws IOException {
        ImageWriter writer = jdkJpegWriter();
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        } else {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
        }
        return write(writer, new IIOImage(image, null, null), param);
    }

    /**
     * A CMYK JPEG in Adobe's convention (inverted samples, APP14 "Adobe" marker with transform 0), every pixel the
     * given ink amounts 0..255. The JDK writer stores a 4-band raster's samples without colour conversion, and the
     * Adobe marker is spliced in after SOI.
     */
    static byte[] cmykJpeg(int w, int h, int c, int m, int y, int k) throws IOException {
        int[] stored = {255 - c, 255 - m, 255 - y, 255 - k};
        return fourChannelJpeg(w, h, stored, 0);
    }

    /**
     * A YCCK JPEG (Adobe transform 2): the inverted C, M, Y samples are stored as YCbCr of (255 - them), K as
     * inverted K, as Photoshop writes CMYK JPEGs.
     */
    static byte[] ycckJpeg(int w, int h, int c, int m, int y, int k) throws IOException {
        double r = c;
        double g = m;
        double b = y; // 255 - inverted = ink amount: libjpeg decodes YCC to these, then inverts to get Adobe CMYK
        int yy = (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        int cb = (int) Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        int cr = (int) Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
        return fourChannelJpeg(w, h, new int[] {yy, cb, cr, 255 - k}, 2);
    }

    private static byte[] fourChannelJpeg(int w, int h, int[] samples, int adobeTransform) throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < w; xx++) {
                raster.setPixel(xx, yy, samples);
            }
        }
        ImageWriter writer = jdkJpegWriter();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1f);
        byte[] plain = write(writer, new IIOImage(raster, null, null), param);
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0,
            (byte) adobeTransform};
        byte[] out = new byte[plain.length + app14.length];
        System.arraycopy(plain, 0, out, 0, 2);
        System.arraycopy(app14, 0, out, 2, app14.length);
        System.arraycopy(plain, 2, out, 2 + app14.length, plain.length - 2);
        return out;
    }

    private static ImageWriter jdkJpegWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter fallback = null;
        while (writers.hasNext()) {
            ImageWriter w = writers.next();
            if (w.getClass().getName().startsWith("com.sun.")) {
                return w;
            }
            fallback = w;
        }
        return fallback;
    }

    private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam param) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, image, param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Whether a JPEG has a progressive (SOF2) frame header. */
    static boolean isProgressive(byte[] jpeg) {
        return segmentOffset(jpeg, 0xC2) >= 0;
    }

    // ---- oversized headers: small valid files whose header is patched to claim huge dimensions ----

    /** A PNG whose IHDR claims w x h (CRC recomputed, so only the size is wrong). */
    static byte[] pngClaiming(int w, int h) throws IOException {
        byte[] png = encode(solid(2, 2, 0x336699, BufferedImage.TYPE_INT_RGB), "png");
        ByteBuffer b = ByteBuffer.wrap(png).order(ByteOrder.BIG_ENDIAN);
        // signature (8) | length (4) | "IHDR" (4) at 12 | width at 16 | height at 20 | ... | CRC at 29
        b.putInt(16, w);
        b.putInt(20, h);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return png;
    }

    /** A BMP whose BITMAPINFOHEADER claims w x h. */
    static byte[] bmpClaiming(int w, int h) throws IOException {
        byte[] bmp = encode(solid(2, 2, 0x336699, BufferedImage.TYPE_INT_RGB), "bmp");
        ByteBuffer b = ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(18, w);
        b.putInt(22, h);
        return bmp;
    }

    /** A GIF whose logical screen and first image descriptor claim w x h (at most 65535 each). */
    static byte[] gifClaiming(int w, int h) throws IOException {
        byte[] gif = encode(palette(2, 0xFF000000, 0xFFFFFFFF), "gif");
        ByteBuffer b = ByteBuffer.wrap(gif).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(6, (short) w);
        b.putShort(8, (short) h);
        int pos = 13;
        int flags = gif[10] & 0xFF;
        if ((flags & 0x80) != 0) {
            pos += 3 * (1 << ((flags & 7) + 1));
        }
        while ((gif[pos] & 0xFF) == 0x21) { // extension blocks: introducer, label, sub-blocks until size 0
            pos += 2;
            while ((gif[pos] & 0xFF) != 0) {
                pos += (gif[pos] & 0xFF) + 1;
            }
            pos++;
        }
        if ((gif[pos] & 0xFF) != 0x2C) {
            throw new IllegalStateException("no image descriptor found in the generated GIF");
        }
        b.putShort(pos + 5, (short) w);
        b.putShort(pos + 7, (short) h);
        return gif;
    }

    /** A baseline JPEG whose SOF0 claims w x h (at most 65535 each). */
    static byte[] jpegClaiming(int w, int h) throws IOException {
        byte[] jpg = jpeg(solid(8, 8, 0x336699, BufferedImage.TYPE_INT_RGB), 0.9f, false);
        int sof = segmentOffset(jpg, 0xC0);
        // FF C0 | length (2) | precision (1) | height (2) | width (2)
        ByteBuffer b = ByteBuffer.wrap(jpg).order(ByteOrder.BIG_ENDIAN);
        b.putShort(sof + 5, (short) h);
        b.putShort(sof + 7, (short) w);
        return jpg;
    }

    /** Offset of the first marker FF xx of the given type among the JPEG's header segments, or -1. */
    static int segmentOffset(byte[] jpg, int marker) {
        int pos = 2;
        while (pos + 4 <= jpg.length && (jpg[pos] & 0xFF) == 0xFF) {
            int type = jpg[pos + 1] & 0xFF;
            if (type == marker) {
                return pos;
            }
            if (type == 0xDA) { // start of scan: entropy-coded data follows
                return -1;
            }
            int len = (jpg[pos + 2] & 0xFF) << 8 | (jpg[pos + 3] & 0xFF);
            pos += 2 + len;
        }
        return -1;
    }
}
