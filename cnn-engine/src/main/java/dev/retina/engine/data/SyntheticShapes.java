package dev.retina.engine.data;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded, synthetic, labelled image source: coloured shapes and textures ({@link ShapeKind}) on
 * random backgrounds, {@code size x size} RGB (64 x 64 by default).
 *
 * <p>Each sample varies in foreground and background colour (with a minimum contrast), background
 * gradient, shape size, position and rotation, texture period and phase, and per-pixel Gaussian
 * noise. Sample {@code i} depends only on {@code (seed, i, size)}: the same seed always gives the same
 * images, in any order and on any thread. Labels cycle through the classes ({@code i % 8}), so every
 * prefix of the data set is balanced.
 *
 * <p>Rendering uses Java2D with antialiasing; the pixels are reproducible on one JDK build, and
 * a different JDK's rasteriser may differ in edge pixels.
 */
public final class SyntheticShapes implements LabeledDataset {

    /** The default image side in pixels. */
    public static final int DEFAULT_SIZE = 64;

    private static final int MIN_SIZE = 16;
    private static final int MAX_SIZE = 1024;
    private static final List<String> LABELS;

    static {
        List<String> names = new ArrayList<>();
        for (ShapeKind k : ShapeKind.values()) {
            names.add(k.label());
        }
        LABELS = Collections.unmodifiableList(names);
    }

    /** One generated image and its class. */
    public record Sample(BufferedImage image, ShapeKind kind) {
        public int label() {
            return kind.ordinal();
        }
    }

    private final long seed;
    private final int count;
    private final int size;

    /** {@code count} samples of {@value #DEFAULT_SIZE} x {@value #DEFAULT_SIZE} pixels. */
    public SyntheticShapes(long seed, int count) {
        this(seed, count, DEFAULT_SIZE);
    }

    public SyntheticShapes(long seed, int count, int size) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, found " + count);
        }
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "image size must be in [" + MIN_SIZE + ", " + MAX_SIZE + "] pixels, found " + size);
        }
        this.seed = seed;
        this.count = count;
        this.size = size;
    }

    /** The class names in label order: circle, square, triangle, star, cross, ring, stripes, checkerboard. */
    public static List<String> classNames() {
        return LABELS;
    }

    public long seed() {
        return seed;
    }

    @Override
    public List<String> labels() {
        return LABELS;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public int height() {
        return size;
    }

    @Override
    public int width() {
        return size;
    }

    @Override
    public int label(int index) {
        checkIndex(index);
        return kindOf(index).ordinal();
    }

    @Override
    public void pixels(int index, byte[] dst) {
        int n = size * size;
        if (dst.length < n * 3) {
            throw new IllegalArgumentException("pixel buffer too small: need " + n * 3 + ", found " + dst.length);
        }
        int[] rgb = ((DataBufferInt) image(index).getRaster().getDataBuffer()).getData();
        for (int i = 0, o = 0; i < n; i++, o += 3) {
            int p = rgb[i];
            dst[o] = (byte) (p >> 16);
            dst[o + 1] = (byte) (p >> 8);
            dst[o + 2] = (byte) p;
        }
    }

    @Override
    public BufferedImage image(int index) {
        return sample(index).image();
    }

    @Override
    public String description() {
        return "synthetic shapes (seed " + seed + ", " + count + " images, " + size + "x" + size + " RGB)";
    }

    /** Generates sample {@code index}, a {@code TYPE_INT_RGB} image and its class. */
    public Sample sample(int index) {
        checkIndex(index);
        ShapeKind kind = kindOf(index);
        SplittableRandom rnd = new SplittableRandom(mix(seed, index));
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            Color background = randomColor(rnd);
            Color foreground = contrastingColor(rnd, background);
            paintBackground(g, rnd, background);
            g.setColor(foreground);
            double theta = rnd.nextDouble(0, 2 * Math.PI);
            switch (kind) {
                case STRIPES:
                    paintStripes(g, rnd, theta);
                    break;
                case CHECKERBOARD:
                    paintCheckerboard(g, rnd, theta);
                    break;
                default:
                    paintShape(g, rnd, kind, theta);
                    break;
            }
        } finally {
            g.dispose();
        }
        addNoise(img, rnd);
        return new Sample(img, kind);
    }

    /**
     * Writes every sample as an image file {@code dir/<class>/<seed>-<index>.<ext>}, creating one folder
     * per class (also for classes that get no sample). Returns the number of files written.
     */
    public int writeFiles(Path dir, ImageFormat format) throws IOException {
        for (String label : LABELS) {
            Files.createDirectories(dir.resolve(label));
        }
        int digits = Math.max(1, String.valueOf(Math.max(0, count - 1)).length());
        for (int i = 0; i < count; i++) {
            Sample s = sample(i);
            String name = seed + "-" + String.format(Locale.ROOT, "%0" + digits + "d", i) + "." + format.extension();
            Files.write(dir.resolve(s.kind().label()).resolve(name), format.encode(s.image()));
        }
        return count;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("sample index " + index + " outside [0, " + count + ")");
        }
    }

    private static ShapeKind kindOf(int index) {
        return ShapeKind.values()[index % ShapeKind.values().length];
    }

    /** A per-sample seed; SplittableRandom scrambles it further, so neighbouring indices decorrelate. */
    private static long mix(long seed, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Color randomColor(SplittableRandom rnd) {
        return new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
    }

    /** A colour whose luminance differs from {@code other} by at least 70 of 255, so the shape stays visible. */
    private static Color contrastingColor(SplittableRandom rnd, Color other) {
        double lum = luminance(other);
        for (int attempt = 0; attempt < 64; attempt++) {
            Color c = randomColor(rnd);
            if (Math.abs(luminance(c) - lum) >= 70) {
                return c;
            }
        }
        return lum < 128 ? Color.WHITE : Color.BLACK;
    }

    private static double luminance(Color c) {
        return 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
    }

    private void paintBackground(Graphics2D g, SplittableRandom rnd, Color base) {
        // A gentle gradient towards a nearby colour, so backgrounds are not flat.
        Color other = new Color(
                clamp(base.getRed() + rnd.nextInt(-40, 41)),
                clamp(base.getGreen() + rnd.nextInt(-40, 41)),
                clamp(base.getBlue() + rnd.nextInt(-40, 41)));
        float x1 = (float) rnd.nextDouble(0, size);
        float y1 = (float) rnd.nextDouble(0, size);
        float x2 = (float) rnd.nextDouble(0, size);
        float y2 = (float) rnd.nextDouble(0, size);
        if (Math.abs(x1 - x2) + Math.abs(y1 - y2) < 1f) {
            x2 = x1 + 1f;
        }
        g.setPaint(new GradientPaint(x1, y1, base, x2, y2, other));
        g.fillRect(0, 0, size, size);
    }

    private void paintShape(Graphics2D g, SplittableRandom rnd, ShapeKind kind, double theta) {
        double r = size * rnd.nextDouble(0.20, 0.40);
        double margin = r * 0.85;
        double cx = rnd.nextDouble(margin, size - margin);
        double cy = rnd.nextDouble(margin, size - margin);
        AffineTransform at = new AffineTransform();
        at.translate(cx, cy);
        at.rotate(theta);
        g.fill(at.createTransformedShape(outline(kind, r)));
    }

    /** The shape centred on the origin with circumradius about {@code r}. */
    private static Shape outline(ShapeKind kind, double r) {
        switch (kind) {
            case CIRCLE:
                return new Ellipse2D.Double(-r, -r, 2 * r, 2 * r);
            case SQUARE: {
                double s = r * 0.78;
                return new Rectangle2D.Double(-s, -s, 2 * s, 2 * s);
            }
            case TRIANGLE:
                return polygon(3, r, -Math.PI / 2);
            case STAR:
                return star(r);
            case CROSS: {
                double t = r * 0.32;
                Area a = new Area(new Rectangle2D.Double(-r, -t, 2 * r, 2 * t));
                a.add(new Area(new Rectangle2D.Double(-t, -r, 2 * t, 2 * r)));
                return a;
            }
            case RING: {
                Area a = new Area(new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
                double inner = r * 0.58;
                a.subtract(new Area(new Ellipse2D.Double(-inner, -inner, 2 * inner, 2 * inner)));
                return a;
            }
            default:
                throw new IllegalArgumentException("not an outline shape: " + kind);
        }
    }

    private static Shape polygon(int corners, double r, double start) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < corners; i++) {
            double a = start + i * 2 * Math.PI / corners;
            if (i == 0) {
                p.moveTo(r * Math.cos(a), r * Math.sin(a));
            } else {
                p.lineTo(r * Math.cos(a), r * Math.sin(a));
            }
        }
        p.closePath();
        return p;
    }

    private static Shape star(double r) {
        Path2D.Double p = new Path2D.Double();
        double inner = r * 0.42;
        for (int i = 0; i < 10; i++) {
            double a = -Math.PI / 2 + i * Math.PI / 5;
            double rr = (i % 2 == 0) ? r : inner;
            if (i == 0) {
                p.moveTo(rr * Math.cos(a), rr * Math.sin(a));
            } else {
                p.lineTo(rr * Math.cos(a), rr * Math.sin(a));
            }
        }
        p.closePath();
        return p;
    }

    /** Parallel bands across the whole image; period and phase play the part of size and position. */
    private void paintStripes(Graphics2D g, SplittableRandom rnd, double theta) {
        double period = size * rnd.nextDouble(0.10, 0.22);
        double phase = rnd.nextDouble(0, period);
        double half = size; // covers the rotated square with room to spare
        AffineTransform old = g.getTransform();
        g.translate(size / 2.0, size / 2.0);
        g.rotate(theta);
        for (double x = -half - phase; x < half; x += period) {
            g.fill(new Rectangle2D.Double(x, -half, period / 2, 2 * half));
        }
        g.setTransform(old);
    }

    private void paintCheckerboard(Graphics2D g, SplittableRandom rnd, double theta) {
        double cell = size * rnd.nextDouble(0.09, 0.18);
        double px = rnd.nextDouble(0, 2 * cell);
        double py = rnd.nextDouble(0, 2 * cell);
        double half = size;
        AffineTransform old = g.getTransform();
        g.translate(size / 2.0, size / 2.0);
        g.rotate(theta);
        int n = (int) Math.ceil(2 * half / cell) + 2;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (((i + j) & 1) == 0) {
                    g.fill(new Rectangle2D.Double(-half - px + i * cell, -half - py + j * cell, cell, cell));
                }
            }
        }
        g.setTransform(old);
    }

    /** Independent Gaussian noise per pixel and channel, sigma drawn per image. */
    private void addNoise(BufferedImage img, SplittableRandom rnd) {
        double sigma = rnd.nextDouble(2, 14);
        int[] rgb = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            int r = clamp(((p >> 16) & 0xFF) + (int) Math.round(rnd.nextGaussian() * sigma));
            int gr = clamp(((p >> 8) & 0xFF) + (int) Math.round(rnd.nextGaussian() * sigma));
            int b = clamp((p & 0xFF) + (int) Math.round(rnd.nextGaussian() * sigma));
            rgb[i] = (r << 16) | (gr << 8) | b;
        }
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    @Override
    public String toString() {
        return description() + " classes=" + Arrays.toString(ShapeKind.values());
    }
}
