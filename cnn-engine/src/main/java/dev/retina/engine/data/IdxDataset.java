package dev.retina.engine.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A grayscale image data set read from an IDX image file and its IDX label file (MNIST layout: images
 * {@code [count, rows, cols]}, labels {@code [count]} with values {@code 0..classes-1}).
 */
public final class IdxDataset implements LabeledDataset {

    /** Fashion-MNIST's class names, in label order. */
    public static final List<String> FASHION_MNIST_LABELS = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final String description;
    private final List<String> labels;
    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final byte[] labelBytes;

    private IdxDataset(String description, List<String> labels, IdxArray images, IdxArray labelArray) {
        this.description = description;
        this.labels = List.copyOf(labels);
        this.count = images.dim(0);
        this.rows = images.dim(1);
        this.cols = images.dim(2);
        this.pixels = images.data();
        this.labelBytes = labelArray.data();
    }

    /**
     * Loads an image file and a label file and checks they belong together: equal counts, and every
     * label below {@code labels.size()}.
     */
    public static IdxDataset load(Path imageFile, Path labelFile, List<String> labels) {
        IdxArray images = IdxReader.readImages(imageFile);
        IdxArray lab = IdxReader.readLabels(labelFile);
        if (images.dim(0) != lab.dim(0)) {
            throw new DatasetException(DatasetException.Reason.MISMATCH, imageFile + " holds " + images.dim(0)
                    + " images but " + labelFile + " holds " + lab.dim(0) + " labels; expected equal counts");
        }
        if (images.dim(1) == 0 || images.dim(2) == 0) {
            throw new DatasetException(DatasetException.Reason.BAD_VALUE,
                    imageFile + ": expected non-empty images, found " + images.dim(1) + "x" + images.dim(2));
        }
        byte[] data = lab.data();
        for (int i = 0; i < data.length; i++) {
            int v = data[i] & 0xFF;
            if (v >= labels.size()) {
                throw new DatasetException(DatasetException.Reason.BAD_VALUE, labelFile + ": label " + v
                        + " at index " + i + " is outside [0, " + labels.size() + ") for classes " + labels);
            }
        }
        String desc = imageFile.getFileName() + " (" + images.dim(0) + " images, " + images.dim(1) + "x"
                + images.dim(2) + " grayscale)";
        return new IdxDataset(desc, labels, images, lab);
    }

    /**
     * Opens one split of an MNIST-style directory: {@code train-images-idx3-ubyte} /
     * {@code train-labels-idx1-ubyte} for training, {@code t10k-...} for testing, each with or without
     * {@code .gz}. Class names come from {@code labels.txt} in the directory when present (one per line),
     * else Fashion-MNIST's names when the directory's path mentions "fashion", else the digits 0-9.
     */
    public static IdxDataset openDirectory(Path dir, boolean train) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(DatasetException.Reason.MISSING_FILE, "IDX dataset directory not found: " + dir);
        }
        String prefix = train ? "train" : "t10k";
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labelFile = find(dir, prefix + "-labels-idx1-ubyte");
        return load(images, labelFile, classNames(dir));
    }

    private static Path find(Path dir, String base) {
        for (String name : new String[] {base, base + ".gz", base.replace("-idx", ".idx"),
            base.replace("-idx", ".idx") + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DatasetException(DatasetException.Reason.MISSING_FILE,
                "expected " + base + " or " + base + ".gz in " + dir + ", found neither");
    }

    private static List<String> classNames(Path dir) {
        Path file = dir.resolve("labels.txt");
        if (Files.isRegularFile(file)) {
            try {
                List<String> names = new ArrayList<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        names.add(line.strip());
                    }
                }
                return names;
            } catch (IOException e) {
                throw new DatasetException(DatasetException.Reason.IO, "cannot read " + file + ": " + e, e);
            }
        }
        if (dir.toAbsolutePath().toString().toLowerCase(Locale.ROOT).contains("fashion")) {
            return FASHION_MNIST_LABELS;
        }
        List<String> digits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            digits.add(Integer.toString(i));
        }
        return digits;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    public int height() {
        return rows;
    }

    @Override
    public int width() {
        return cols;
    }

    @Override
    public int label(int index) {
        checkIndex(index);
        return labelBytes[index] & 0xFF;
    }

    @Override
    public void pixels(int index, byte[] dst) {
        checkIndex(index);
        int n = rows * cols;
        System.arraycopy(pixels, index * n, dst, 0, n);
    }

    @Override
    public BufferedImage image(int index) {
        checkIndex(index);
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(pixels, index * rows * cols, dst, 0, rows * cols);
        return img;
    }

    @Override
    public String description() {
        return description;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("sample index " + index + " outside [0, " + count + ")");
        }
    }
}
