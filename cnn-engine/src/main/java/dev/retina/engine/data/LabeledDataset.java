package dev.retina.engine.data;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A finite, indexed set of labelled images of one fixed size, as used for training and evaluation.
 *
 * <p>Pixels are unsigned 8-bit values in HWC order (row-major, channels interleaved): RGB for three
 * channels, luminance for one. Implementations are deterministic: the same index always yields the
 * same pixels and label. Implementations are safe for concurrent reads.
 */
public interface LabeledDataset {

    /** Class names; a label is an index into this list. */
    List<String> labels();

    /** Number of samples. */
    int size();

    /** 1 (grayscale) or 3 (RGB). */
    int channels();

    int height();

    int width();

    /** The class index of sample {@code index}, in {@code [0, labels().size())}. */
    int label(int index);

    /**
     * Copies the pixels of sample {@code index} into {@code dst} (length at least
     * {@code height() * width() * channels()}), HWC order.
     */
    void pixels(int index, byte[] dst);

    /**
     * The sample as an image, the way a camera or producer would deliver it: {@code TYPE_INT_RGB} for
     * three channels, {@code TYPE_BYTE_GRAY} for one.
     */
    BufferedImage image(int index);

    /** A short human-readable description (source and size) for progress output. */
    String description();
}
