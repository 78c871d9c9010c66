package dev.retina.engine.image;

import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

import java.util.List;
import java.util.Objects;

/**
 * Turns a {@link DecodedImage} into a model's input, as its {@link PreprocessSpec} (preprocess.json) says:
 * <ol>
 *   <li>grayscale colour mode: RGB to ITU-R 601-2 luma, rounded like PIL's {@code convert("L")};</li>
 *   <li>resize (directly to H x W, or shorter side to {@code resize_size} then the centre H x W) with
 *       {@link ResampleWeights}' antialiased bilinear filter, computed in floating point and only for the pixels
 *       the crop keeps;</li>
 *   <li>channel order (RGB or BGR), then {@code (value * scale - mean[c]) / std[c]} per channel;</li>
 *   <li>written in NCHW ({@code [C][H][W]}) or NHWC ({@code [H][W][C]}) order.</li>
 * </ol>
 * The centre crop's offsets are {@code round((resized - cropped) / 2)} with halves rounded to even, as
 * torchvision's {@code CenterCrop} computes them. Resize differs from PIL only in keeping intermediate values
 * unrounded (PIL rounds to 8 bits after each pass), so results agree within about one grey level.
 *
 * <p>Immutable and thread-safe; each call allocates only its own scratch rows.
 */
public final class Preprocessor {

    private final PreprocessSpec spec;
    private final int channels;
    private final int height;
    private final int width;
    /** Source channel (0 R, 1 G, 2 B) of each output channel. */
    private final int[] sourceChannel;
    /** value * mul[c] + add[c] == (value * scale - mean[c]) / std[c]. */
    private final float[] mul;
    private final float[] add;

    public Preprocessor(PreprocessSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.channels = spec.channels();
        this.height = spec.height();
        this.width = spec.width();
        this.sourceChannel = spec.colorMode() == PreprocessSpec.ColorMode.GRAYSCALE ? new int[] {0}
                : spec.channelOrder() == PreprocessSpec.ChannelOrder.BGR ? new int[] {2, 1, 0} : new int[] {0, 1, 2};
        this.mul = new float[channels];
        this.add = new float[channels];
        for (int c = 0; c < channels; c++) {
            double std = spec.std().get(c);
            mul[c] = (float) (spec.scale() / std);
            add[c] = (float) (-spec.mean().get(c) / std);
        }
    }

    public PreprocessSpec spec() {
        return spec;
    }

    /** Floats written per image: C * H * W. */
    public int elementsPerImage() {
        return channels * height * width;
    }

    /** The input shape for {@code batch} images ({@code [N, C, H, W]} or {@code [N, H, W, C]}). */
    public Shape inputShape(int batch) {
        return Shape.of(spec.inputDims(batch));
    }

    /**
     * Writes one preprocessed image into {@code dst[offset .. offset + elementsPerImage())}, so a batch tensor is
     * filled in place: image {@code n} of a batch goes at {@code offset = n * elementsPerImage()}.
     *
     * @throws IllegalArgumentException if {@code dst} is too short for the range
     */
    public void preprocess(DecodedImage image, float[] dst, int offset) {
        Objects.requireNonNull(image, "image");
        if (offset < 0 || (long) offset + elementsPerImage() > dst.length) {
            throw new IllegalArgumentException("destination needs " + elementsPerImage() + " floats from offset "
                    + offset + ", found an array of " + dst.length);
        }
        int inW = image.width();
        int inH = image.height();
        int resizedW;
        int resizedH;
        if (spec.resize() == PreprocessSpec.ResizePolicy.DIRECT) {
            resizedW = width;
            resizedH = height;
        } else {
            int target = spec.resizeSize();
            if (inW <= inH) {
                resizedW = target;
                resizedH = (int) ((long) target * inH / inW);
            } else {
                resizedH = target;
                resizedW = (int) ((long) target * inW / inH);
            }
        }
        int left = (int) Math.rint((resizedW - width) / 2.0);
        int top = (int) Math.rint((resizedH - height) / 2.0);
        ResampleWeights wx = ResampleWeights.compute(inW, resizedW, left, width);
        ResampleWeights wy = ResampleWeights.compute(inH, resizedH, top, height);

        int sourceChannels = spec.colorMode() == PreprocessSpec.ColorMode.GRAYSCALE ? 1 : 3;
        int rowFirst = wy.minInput();
        int rowEnd = wy.maxInputExclusive();
        // Pass 1: horizontal resample of the rows the vertical pass reads, channels interleaved.
        float[] rows = horizontalPass(image, wx, rowFirst, rowEnd, sourceChannels);
        // Pass 2: vertical resample, normalise, and write in the requested layout.
        int rowStride = width * sourceChannels;
        boolean nchw = spec.layout() == PreprocessSpec.Layout.NCHW;
        int plane = height * width;
        double[] acc = new double[rowStride];
        for (int oy = 0; oy < height; oy++) {
            // Whole-row accumulation: a simple loop the JIT can unroll and vectorise.
            java.util.Arrays.fill(acc, 0);
            int base = oy * wy.stride;
            int y0 = wy.start[oy] - rowFirst;
            for (int k = 0; k < wy.taps[oy]; k++) {
                double w = wy.weights[base + k];
                int from = (y0 + k) * rowStride;
                for (int j = 0; j < rowStride; j++) {
                    acc[j] += w * rows[from + j];
                }
            }
            int rowPixel = oy * width;
            for (int c = 0; c < channels; c++) {
                int s = sourceChannel[c];
                float m = mul[c];
                float a = add[c];
                if (nchw) {
                    int out = offset + c * plane + rowPixel;
                    for (int ox = 0; ox < width; ox++) {
                        dst[out + ox] = (float) acc[ox * sourceChannels + s] * m + a;
                    }
                } else {
                    int out = offset + rowPixel * channels + c;
                    for (int ox = 0; ox < width; ox++) {
                        dst[out + ox * channels] = (float) acc[ox * sourceChannels + s] * m + a;
                    }
                }
            }
        }
    }

    /** One image as a tensor of shape {@code [1, C, H, W]} (or {@code [1, H, W, C]} for NHWC). */
    public Tensor toTensor(DecodedImage image) {
        float[] data = new float[elementsPerImage()];
        preprocess(image, data, 0);
        return Tensor.of(inputShape(1), data);
    }

    /** A batch tensor {@code [N, C, H, W]} (or NHWC) of the given images, in order. */
    public Tensor toBatch(List<DecodedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one image, found none");
        }
        int per = elementsPerImage();
        if ((long) per * images.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + images.size() + " images of " + per
                    + " floats does not fit in one array");
        }
        float[] data = new float[per * images.size()];
        for (int n = 0; n < images.size(); n++) {
            preprocess(images.get(n), data, n * per);
        }
        return Tensor.of(inputShape(images.size()), data);
    }

    private static float[] horizontalPass(DecodedImage image, ResampleWeights wx, int rowFirst, int rowEnd,
                                          int sourceChannels) {
        byte[] px = image.pixels();
        int inW = image.width();
        int outW = wx.start.length;
        float[] rows = new float[(rowEnd - rowFirst) * outW * sourceChannels];
        int[] line = sourceChannels == 1 ? new int[inW] : null;
        int o = 0;
        for (int y = rowFirst; y < rowEnd; y++) {
            int rowBase = y * inW * 3;
            if (sourceChannels == 1) {
                for (int x = 0, i = rowBase; x < inW; x++, i += 3) {
                    // PIL's fixed-point ITU-R 601-2 luma (L = R*299/1000 + G*587/1000 + B*114/1000, rounded).
                    line[x] = ((px[i] & 0xFF) * 19595 + (px[i + 1] & 0xFF) * 38470 + (px[i + 2] & 0xFF) * 7471
                            + 0x8000) >> 16;
                }
            }
            for (int ox = 0; ox < outW; ox++) {
                int base = ox * wx.stride;
                int x0 = wx.start[ox];
                int taps = wx.taps[ox];
                if (sourceChannels == 1) {
                    double g = 0;
                    for (int k = 0; k < taps; k++) {
                        g += wx.weights[base + k] * line[x0 + k];
                    }
                    rows[o++] = (float) g;
                } else {
                    double r = 0;
                    double g = 0;
                    double b = 0;
                    for (int k = 0; k < taps; k++) {
                        double w = wx.weights[base + k];
                        int i = rowBase + (x0 + k) * 3;
                        r += w * (px[i] & 0xFF);
                        g += w * (px[i + 1] & 0xFF);
                        b += w * (px[i + 2] & 0xFF);
                    }
                    rows[o++] = (float) r;
                    rows[o++] = (float) g;
                    rows[o++] = (float) b;
                }
            }
        }
        return rows;
    }
}
