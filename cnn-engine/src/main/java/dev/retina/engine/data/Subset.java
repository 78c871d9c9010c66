package dev.retina.engine.data;

import java.awt.image.BufferedImage;
import java.util.List;

/** The first {@code count} samples of another data set. */
public final class Subset implements LabeledDataset {

    private final LabeledDataset base;
    private final int count;

    public Subset(LabeledDataset base, int count) {
        if (count < 0 || count > base.size()) {
            throw new IllegalArgumentException(
                    "subset size must be in [0, " + base.size() + "], found " + count);
        }
        this.base = base;
        this.count = count;
    }

    @Override
    public List<String> labels() {
        return base.labels();
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return base.channels();
    }

    @Override
    public int height() {
        return base.height();
    }

    @Override
    public int width() {
        return base.width();
    }

    @Override
    public int label(int index) {
        return base.label(check(index));
    }

    @Override
    public void pixels(int index, byte[] dst) {
        base.pixels(check(index), dst);
    }

    @Override
    public BufferedImage image(int index) {
        return base.image(check(index));
    }

    @Override
    public String description() {
        return "first " + count + " of " + base.description();
    }

    private int check(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("sample index " + index + " outside [0, " + count + ")");
        }
        return index;
    }
}
