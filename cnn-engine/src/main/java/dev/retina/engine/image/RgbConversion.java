package dev.retina.engine.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns any {@link BufferedImage} ImageIO produces into interleaved 8-bit RGB, compositing alpha over a background.
 *
 * <p>Grayscale, palette and plain sRGB component images are read from the raster directly. That is exact and
 * fast, and it matters for grayscale: Java tags gray images with a <em>linear</em> gray colour space, so
 * {@code BufferedImage.getRGB} would brighten them (128 becomes 188), while every image library people train with
 * (PIL, OpenCV) treats stored gray values as already display-encoded. Anything else (CMYK converted by a plug-in,
 * ICC-tagged or premultiplied images, packed pixel formats) goes through {@code getRGB}, which applies the colour
 * model's conversion to sRGB.
 */
final class RgbConversion {

    private RgbConversion() {
    }

    /** Interleaved RGB bytes for {@code image}; alpha is composited over {@code background} (0xRRGGBB). */
    static byte[] toRgb(BufferedImage image, int background) {
        ColorModel cm = image.getColorModel();
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int bgR = background >>> 16 & 0xFF;
        int bgG = background >>> 8 & 0xFF;
        int bgB = background & 0xFF;
        if (cm instanceof IndexColorModel icm) {
            fromPalette(image.getRaster(), icm, out, bgR, bgG, bgB);
        } else if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied() && isDirectlyReadable(cm)) {
            fromComponents(image.getRaster(), cm, out, bgR, bgG, bgB);
        } else {
            fromArgb(image, out, bgR, bgG, bgB);
        }
        return out;
    }

    /** A short description of the colour model for {@link DecodedImage#source()}. */
    static String describe(ColorModel cm) {
        String kind;
        if (cm instanceof IndexColorModel) {
            kind = "palette";
        } else {
            switch (cm.getColorSpace().getType()) {
                case ColorSpace.TYPE_GRAY:
                    kind = "gray";
                    break;
                case ColorSpace.TYPE_RGB:
                    kind = "rgb";
                    break;
                case ColorSpace.TYPE_CMYK:
                    kind = "cmyk";
                    break;
                default:
                    kind = "colorspace-" + cm.getColorSpace().getType();
            }
        }
        int bits = cm.getComponentSize(0);
        return kind + (cm.hasAlpha() ? "+alpha" : "") + " " + bits + "-bit";
    }

    private static boolean isDirectlyReadable(ColorModel cm) {
        ColorSpace cs = cm.getColorSpace();
        int colours = cm.getNumColorComponents();
        boolean gray = cs.getType() == ColorSpace.TYPE_GRAY && colours == 1;
        boolean srgb = cs.isCS_sRGB() && colours == 3;
        if (!gray && !srgb) {
            return false;
        }
        for (int bits : cm.getComponentSize()) {
            if (bits < 1 || bits > 16) {
                return false;
            }
        }
        return true;
    }

    private static void fromPalette(Raster raster, IndexColorModel icm, byte[] out, int bgR, int bgG, int bgB) {
        int size = 1 << Math.min(16, icm.getPixelSize());
        int[] lut = new int[Math.max(size, icm.getMapSize())];
        for (int i = 0; i < icm.getMapSize(); i++) {
            int argb = icm.getRGB(i);
            lut[i] = composite(argb >>> 24, argb >>> 16 & 0xFF, argb >>> 8 & 0xFF, argb & 0xFF, bgR, bgG, bgB);
        }
        // Indices past the palette (possible in sloppy GIFs) stay black, as browsers show them.
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int idx = row[x];
                int rgb = idx >= 0 && idx < lut.length ? lut[idx] : 0;
                out[o++] = (byte) (rgb >>> 16);
                out[o++] = (byte) (rgb >>> 8);
                out[o++] = (byte) rgb;
            }
        }
    }

    private static void fromComponents(Raster raster, ColorModel cm, byte[] out, int bgR, int bgG, int bgB) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        int colours = cm.getNumColorComponents();
        boolean alpha = cm.hasAlpha();
        int[] maxima = new int[bands];
        for (int b = 0; b < bands; b++) {
            maxima[b] = (1 << cm.getComponentSize(b)) - 1;
        }
        int[] row = new int[w * bands];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0, i = 0; x < w; x++, i += bands) {
                int r = to8(row[i], maxima[0]);
                int g = colours == 1 ? r : to8(row[i + 1], maxima[1]);
                int b = colours == 1 ? r : to8(row[i + 2], maxima[2]);
                int rgb;
                if (alpha) {
                    rgb = composite(to8(row[i + colours], maxima[colours]), r, g, b, bgR, bgG, bgB);
                } else {
                    rgb = r << 16 | g << 8 | b;
                }
                out[o++] = (byte) (rgb >>> 16);
                out[o++] = (byte) (rgb >>> 8);
                out[o++] = (byte) rgb;
            }
        }
    }

    private static void fromArgb(BufferedImage image, byte[] out, int bgR, int bgG, int bgB) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int rgb = composite(argb >>> 24, argb >>> 16 & 0xFF, argb >>> 8 & 0xFF, argb & 0xFF, bgR, bgG, bgB);
                out[o++] = (byte) (rgb >>> 16);
                out[o++] = (byte) (rgb >>> 8);
                out[o++] = (byte) rgb;
            }
        }
    }

    /** Rescales a sample of {@code max = 2^bits - 1} to 0..255 with rounding (exact for 8 bits). */
    private static int to8(int value, int max) {
        return max == 255 ? value : (value * 255 + max / 2) / max;
    }

    /** Straight-alpha "over" compositing, rounded: {@code (c * a + bg * (255 - a)) / 255}. */
    static int composite(int a, int r, int g, int b, int bgR, int bgG, int bgB) {
        if (a == 255) {
            return r << 16 | g << 8 | b;
        }
        int na = 255 - a;
        int cr = (r * a + bgR * na + 127) / 255;
        int cg = (g * a + bgG * na + 127) / 255;
        int cb = (b * a + bgB * na + 127) / 255;
        return cr << 16 | cg << 8 | cb;
    }
}
