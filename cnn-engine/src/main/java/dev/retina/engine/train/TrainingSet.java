package dev.retina.engine.train;

import dev.retina.engine.data.LabeledDataset;
import dev.retina.engine.model.PreprocessSpec;
import java.util.Arrays;
import java.util.List;

/**
 * A data set held in memory for training: the raw 8-bit pixels of every sample (HWC, as the data set
 * delivers them), the labels, and the preprocessing that turns pixels into the network's input.
 *
 * <p>The input of sample {@code i} is {@code [C, H, W]} with value {@code (pixel * scale - mean[c]) /
 * std[c]} — the formula of the model package's preprocess.json, so a deployed model sees the same numbers
 * as the trainer when the image is already H x W. Only the NCHW layout, direct resize to the data set's
 * own size, RGB channel order for colour data and grayscale for one-channel data are accepted here.
 */
public final class TrainingSet {

    private final List<String> labels;
    private final PreprocessSpec spec;
    private final int channels;
    private final int height;
    private final int width;
    private final byte[] pixels;
    private final int[] targets;
    private final float[] scale;
    private final float[] offset;

    private TrainingSet(LabeledDataset data, PreprocessSpec spec, byte[] pixels, int[] targets) {
        this.labels = List.copyOf(data.labels());
        this.spec = spec;
        this.channels = data.channels();
        this.height = data.height();
        this.width = data.width();
        this.pixels = pixels;
        this.targets = targets;
        // value = pixel * (scale / std) - mean / std, computed once per channel in double.
        this.scale = new float[channels];
        this.offset = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = (float) (spec.scale() / spec.std().get(c));
            offset[c] = (float) (spec.mean().get(c) / spec.std().get(c));
        }
    }

    /**
     * The default preprocessing for a data set: its own size, its colour mode, scale 1/255, mean 0.5 and
     * std 0.25 per channel (inputs roughly in [-2, 2]), NCHW, and probabilities as output (the exported
     * model ends in Softmax).
     */
    public static PreprocessSpec defaultSpec(LabeledDataset data) {
        int c = data.channels();
        double[] mean = new double[c];
        double[] std = new double[c];
        Arrays.fill(mean, 0.5);
        Arrays.fill(std, 0.25);
        return PreprocessSpec.builder(data.height(), data.width())
                .optColorMode(c == 1 ? PreprocessSpec.ColorMode.GRAYSCALE : PreprocessSpec.ColorMode.RGB)
                .optMean(mean)
                .optStd(std)
                .optOutput(PreprocessSpec.OutputKind.PROBABILITIES)
                .build();
    }

    /**
     * Reads every sample of {@code data} into memory ({@code size * H * W * C} bytes), on the caller's
     * thread. See {@link Trainer#load} for a parallel version.
     */
    public static TrainingSet load(LabeledDataset data, PreprocessSpec spec) {
        TrainingSet set = allocate(data, spec);
        set.fill(data, 0, data.size());
        return set;
    }

    static TrainingSet allocate(LabeledDataset data, PreprocessSpec spec) {
        check(data, spec);
        long bytes = (long) data.size() * data.channels() * data.height() * data.width();
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(data.description() + " needs " + bytes
                    + " bytes in memory; at most " + (Integer.MAX_VALUE - 16) + " fit one training set");
        }
        return new TrainingSet(data, spec, new byte[(int) bytes], new int[data.size()]);
    }

    /** Copies samples {@code [from, to)} of {@code data}; ranges may be filled concurrently. */
    void fill(LabeledDataset data, int from, int to) {
        int n = imageBytes();
        byte[] buffer = new byte[n];
        for (int i = from; i < to; i++) {
            data.pixels(i, buffer);
            System.arraycopy(buffer, 0, pixels, i * n, n);
            targets[i] = data.label(i);
        }
    }

    private static void check(LabeledDataset data, PreprocessSpec spec) {
        if (spec.layout() != PreprocessSpec.Layout.NCHW) {
            throw new IllegalArgumentException("the trainer needs layout nchw, found " + spec.layout().json());
        }
        if (spec.resize() != PreprocessSpec.ResizePolicy.DIRECT || spec.height() != data.height()
                || spec.width() != data.width()) {
            throw new IllegalArgumentException("the trainer needs preprocessing that keeps the data's size "
                    + data.height() + "x" + data.width() + " (resize direct), found resize " + spec.resize().json()
                    + " to " + spec.height() + "x" + spec.width());
        }
        if (spec.channels() != data.channels()) {
            throw new IllegalArgumentException("preprocessing color_mode " + spec.colorMode().json() + " has "
                    + spec.channels() + " channel(s) but " + data.description() + " has " + data.channels());
        }
        if (spec.channelOrder() != PreprocessSpec.ChannelOrder.RGB) {
            throw new IllegalArgumentException("the trainer needs channel_order rgb, found "
                    + spec.channelOrder().json());
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("the data set is empty: " + data.description());
        }
    }

    public int size() {
        return targets.length;
    }

    public List<String> labels() {
        return labels;
    }

    public PreprocessSpec spec() {
        return spec;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int label(int index) {
        return targets[index];
    }

    /** Floats per input image: C * H * W. */
    public int inputSize() {
        return imageBytes();
    }

    private int imageBytes() {
        return channels * height * width;
    }

    /** Writes the preprocessed input of sample {@code index} ({@code [C, H, W]}) into {@code dst}. */
    public void input(int index, float[] dst) {
        int hw = height * width;
        int base = index * imageBytes();
        for (int c = 0; c < channels; c++) {
            float s = scale[c];
            float o = offset[c];
            int out = c * hw;
            for (int p = 0, src = base + c; p < hw; p++, src += channels) {
                dst[out + p] = (pixels[src] & 0xFF) * s - o;
            }
        }
    }
}
