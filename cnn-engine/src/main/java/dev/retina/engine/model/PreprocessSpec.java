package dev.retina.engine.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How an image becomes a model's input tensor: the contents of a model package's {@code preprocess.json}.
 *
 * <h2>preprocess.json (format version 1)</h2>
 * A JSON object; every key except {@code height} and {@code width} is optional, unknown keys are rejected (a typo
 * such as {@code "mena"} must not silently fall back to a default):
 * <pre>{@code
 * {
 *   "version": 1,                     // format version, default 1 (the only one)
 *   "height": 224,                    // model input height H, required, 1..16384
 *   "width": 224,                     // model input width W, required, 1..16384
 *   "resize": "shorter_side",         // "shorter_side" | "direct", default "direct"
 *   "resize_size": 256,               // shorter_side only (required there): target of the shorter side,
 *                                     //   >= max(H, W); the result is then center-cropped to H x W
 *   "color_mode": "rgb",              // "rgb" (C = 3) | "grayscale" (C = 1, ITU-R 601 luma), default "rgb"
 *   "channel_order": "rgb",           // "rgb" | "bgr" (rgb color mode only), default "rgb"
 *   "scale": 0.00392156862745098,     // pixel values 0..255 are multiplied by this first, default 1/255
 *   "mean": [0.485, 0.456, 0.406],    // one per channel (in channel_order), subtracted after scaling, default 0
 *   "std": [0.229, 0.224, 0.225],     // one per channel, > 0, divided by last, default 1
 *   "layout": "nchw",                 // "nchw" | "nhwc", default "nchw"
 *   "output": "logits",               // "logits" | "probabilities" | "auto", default "auto" (see OutputKind)
 *   "embedding": "flatten_0"          // name of the model value used as the image's embedding (feature statistics
 *                                     //   and drift); default: found automatically, see EmbeddingLocator
 * }
 * }</pre>
 * The comments above are for this page only: JSON has no comments and the reader rejects them. Enum values are
 * case-insensitive. So a channel value is {@code (pixel * scale - mean[c]) / std[c]}.
 *
 * <p>{@code "direct"} resizes the whole image to H x W (aspect ratio not kept). {@code "shorter_side"} keeps the
 * aspect ratio: the shorter side becomes {@code resize_size}, the longer one {@code floor(resize_size * long /
 * short)}, then the centre H x W is cut out, like torchvision's {@code Resize(resize_size)} + {@code
 * CenterCrop((H, W))}.
 *
 * @param version      format version, always 1
 * @param height       input height H
 * @param width        input width W
 * @param resize       resize policy
 * @param resizeSize   shorter side target for {@link ResizePolicy#SHORTER_SIDE}; 0 for {@link ResizePolicy#DIRECT}
 * @param colorMode    colour mode, fixes the channel count
 * @param channelOrder channel order (always {@link ChannelOrder#RGB} for grayscale)
 * @param scale        multiplier applied to 0..255 pixel values
 * @param mean         per-channel mean, one entry per channel
 * @param std          per-channel standard deviation, one positive entry per channel
 * @param layout       memory layout of the input tensor
 * @param output       what the model's output holds
 * @param embedding    the name of the ONNX value that is the image embedding (an intermediate value of the
 *                     graph), or null to find the input of the final classifier layer automatically
 */
public record PreprocessSpec(
        int version,
        int height,
        int width,
        ResizePolicy resize,
        int resizeSize,
        ColorMode colorMode,
        ChannelOrder channelOrder,
        double scale,
        List<Double> mean,
        List<Double> std,
        Layout layout,
        OutputKind output,
        String embedding) {

    /** The only format version this engine reads and writes. */
    public static final int FORMAT_VERSION = 1;
    /** Largest accepted input side or resize target, far above any CNN input but small enough to be safe. */
    public static final int MAX_SIDE = 16384;

    /** How the decoded image is brought to H x W. */
    public enum ResizePolicy {
        /** Resize straight to H x W (aspect ratio not kept). */
        DIRECT("direct"),
        /** Resize the shorter side to {@code resize_size} keeping the aspect ratio, then center-crop H x W. */
        SHORTER_SIDE("shorter_side");

        private final String json;

        ResizePolicy(String json) {
            this.json = json;
        }

        /** The name used in preprocess.json. */
        public String json() {
            return json;
        }
    }

    /** Colour model of the input tensor. */
    public enum ColorMode {
        /** Three channels. */
        RGB("rgb", 3),
        /** One channel of ITU-R 601-2 luma {@code (299 R + 587 G + 114 B) / 1000}, as PIL's {@code convert("L")}. */
        GRAYSCALE("grayscale", 1);

        private final String json;
        private final int channels;

        ColorMode(String json, int channels) {
            this.json = json;
            this.channels = channels;
        }

        public String json() {
            return json;
        }

        /** Number of channels C. */
        public int channels() {
            return channels;
        }
    }

    /** Order of the three colour channels in the tensor. */
    public enum ChannelOrder {
        RGB("rgb"),
        /** As OpenCV-trained (Caffe-style) models expect. */
        BGR("bgr");

        private final String json;

        ChannelOrder(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }
    }

    /** Memory layout of one image in the input tensor. */
    public enum Layout {
        /** {@code [N, C, H, W]}: channel planes, the PyTorch/ONNX convention. */
        NCHW("nchw"),
        /** {@code [N, H, W, C]}: interleaved channels, the TensorFlow convention. */
        NHWC("nhwc");

        private final String json;

        Layout(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }
    }

    /**
     * What the model's output holds, which decides whether a classifier applies softmax.
     * {@link #AUTO} treats an output row as probabilities when every value is in [0, 1] and the row sums to 1
     * within 1e-3, and applies softmax otherwise.
     */
    public enum OutputKind {
        /** Unnormalised scores: softmax is applied. */
        LOGITS("logits"),
        /** Already a probability distribution (the model ends in Softmax): used as is. */
        PROBABILITIES("probabilities"),
        /** Decided per output row, see the enum's documentation. */
        AUTO("auto");

        private final String json;

        OutputKind(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }
    }

    private static final Set<String> KEYS = Set.of("version", "height", "width", "resize", "resize_size",
            "color_mode", "channel_order", "scale", "mean", "std", "layout", "output", "embedding");

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the field, what was expected and what was found
     */
    public PreprocessSpec {
        Objects.requireNonNull(resize, "resize");
        Objects.requireNonNull(colorMode, "colorMode");
        Objects.requireNonNull(channelOrder, "channelOrder");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(output, "output");
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("version: expected " + FORMAT_VERSION + ", found " + version);
        }
        checkSide("height", height);
        checkSide("width", width);
        if (resize == ResizePolicy.SHORTER_SIDE) {
            if (resizeSize < Math.max(height, width) || resizeSize > MAX_SIDE) {
                throw new IllegalArgumentException("resize_size: expected an integer from max(height, width) = "
                        + Math.max(height, width) + " to " + MAX_SIDE + " for resize \"shorter_side\", found "
                        + resizeSize);
            }
        } else if (resizeSize != 0) {
            throw new IllegalArgumentException("resize_size: applies only to resize \"shorter_side\", found "
                    + resizeSize + " with resize \"" + resize.json() + "\"");
        }
        if (colorMode == ColorMode.GRAYSCALE && channelOrder != ChannelOrder.RGB) {
            throw new IllegalArgumentException("channel_order: expected \"rgb\" (or none) for color_mode "
                    + "\"grayscale\", found \"" + channelOrder.json() + "\"");
        }
        if (!Double.isFinite(scale) || scale <= 0) {
            throw new IllegalArgumentException("scale: expected a finite number > 0, found " + scale);
        }
        mean = checkPerChannel("mean", mean, colorMode, false);
        std = checkPerChannel("std", std, colorMode, true);
        if (embedding != null && (embedding.isBlank() || !embedding.equals(embedding.strip()))) {
            throw new IllegalArgumentException("embedding: expected the name of a value of the model (non-blank, "
                    + "no surrounding spaces), found \"" + embedding + "\"");
        }
    }

    /** A spec without an embedding name (the embedding is found automatically). */
    public PreprocessSpec(int version, int height, int width, ResizePolicy resize, int resizeSize, ColorMode colorMode,
                          ChannelOrder channelOrder, double scale, List<Double> mean, List<Double> std, Layout layout,
                          OutputKind output) {
        this(version, height, width, resize, resizeSize, colorMode, channelOrder, scale, mean, std, layout, output,
                null);
    }

    /** Number of channels C. */
    public int channels() {
        return colorMode.channels();
    }

    /** Floats one preprocessed image occupies: C * H * W. */
    public int elementsPerImage() {
        return channels() * height * width;
    }

    /** Input tensor dimensions for {@code batch} images in this spec's layout. */
    public int[] inputDims(int batch) {
        return layout == Layout.NCHW
                ? new int[] {batch, channels(), height, width}
                : new int[] {batch, height, width, channels()};
    }

    /** A builder starting from the defaults listed in the class documentation. */
    public static Builder builder(int height, int width) {
        return new Builder(height, width);
    }

    /**
     * The usual torchvision ImageNet preprocessing: shorter side to {@code round(size * 256 / 224)}, center crop
     * {@code size x size}, RGB, scale 1/255, ImageNet mean and std, NCHW, logits.
     */
    public static PreprocessSpec imageNet(int size) {
        return builder(size, size)
                .optResizeShorterSide((int) Math.round(size * 256.0 / 224.0))
                .optMean(0.485, 0.456, 0.406)
                .optStd(0.229, 0.224, 0.225)
                .optOutput(OutputKind.LOGITS)
                .build();
    }

    /**
     * Parses a preprocess.json document.
     *
     * @throws ModelPackageException with reason {@code INVALID_PREPROCESS}, naming line and column for syntax errors
     *                               and the key for invalid values
     */
    public static PreprocessSpec parse(String json) {
        Object root;
        try {
            root = JsonReader.parse(json.startsWith("\uFEFF") ? json.substring(1) : json);
        } catch (JsonFormatException e) {
            throw invalid("not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map)) {
            throw invalid("expected a JSON object at the top level, found " + typeName(root), null);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) root;
        Set<String> unknown = new LinkedHashSet<>(map.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw invalid("unknown key(s) " + unknown + "; expected only " + new java.util.TreeSet<>(KEYS), null);
        }
        try {
            if (!map.containsKey("height") || !map.containsKey("width")) {
                throw new IllegalArgumentException("expected the required keys \"height\" and \"width\", found "
                        + map.keySet());
            }
            Builder b = new Builder(intValue(map, "height"), intValue(map, "width"));
            if (map.containsKey("version")) {
                b.version = intValue(map, "version");
            }
            if (map.containsKey("resize")) {
                b.resize = enumValue(map, "resize", ResizePolicy.values(), ResizePolicy::json);
            }
            if (map.containsKey("resize_size")) {
                b.resizeSize = intValue(map, "resize_size");
            }
            if (map.containsKey("color_mode")) {
                b.colorMode = enumValue(map, "color_mode", ColorMode.values(), ColorMode::json);
            }
            if (map.containsKey("channel_order")) {
                b.channelOrder = enumValue(map, "channel_order", ChannelOrder.values(), ChannelOrder::json);
            }
            if (map.containsKey("scale")) {
                b.scale = numberValue(map, "scale");
            }
            if (map.containsKey("mean")) {
                b.mean = numberList(map, "mean");
            }
            if (map.containsKey("std")) {
                b.std = numberList(map, "std");
            }
            if (map.containsKey("layout")) {
                b.layout = enumValue(map, "layout", Layout.values(), Layout::json);
            }
            if (map.containsKey("output")) {
                b.output = enumValue(map, "output", OutputKind.values(), OutputKind::json);
            }
            if (map.containsKey("embedding")) {
                Object v = map.get("embedding");
                if (!(v instanceof String name)) {
                    throw new IllegalArgumentException("embedding: expected a string naming a value of the model, "
                            + "found " + describe(v));
                }
                b.embedding = name;
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage(), e);
        }
    }

    /** This spec as a preprocess.json document (all keys written, two-space indented, UTF-8 safe ASCII). */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"version\": ").append(version).append(",\n");
        sb.append("  \"height\": ").append(height).append(",\n");
        sb.append("  \"width\": ").append(width).append(",\n");
        sb.append("  \"resize\": \"").append(resize.json()).append("\",\n");
        if (resize == ResizePolicy.SHORTER_SIDE) {
            sb.append("  \"resize_size\": ").append(resizeSize).append(",\n");
        }
        sb.append("  \"color_mode\": \"").append(colorMode.json()).append("\",\n");
        sb.append("  \"channel_order\": \"").append(channelOrder.json()).append("\",\n");
        sb.append("  \"scale\": ").append(scale).append(",\n");
        sb.append("  \"mean\": ").append(mean).append(",\n");
        sb.append("  \"std\": ").append(std).append(",\n");
        sb.append("  \"layout\": \"").append(layout.json()).append("\",\n");
        sb.append("  \"output\": \"").append(output.json()).append('"');
        if (embedding != null) {
            sb.append(",\n  \"embedding\": \"").append(jsonEscape(embedding)).append('"');
        }
        sb.append('\n');
        return sb.append("}\n").toString();
    }

    /** Builder with the documented defaults; {@code opt...} setters are optional, {@link #build()} validates. */
    public static final class Builder {
        private int version = FORMAT_VERSION;
        private final int height;
        private final int width;
        private ResizePolicy resize = ResizePolicy.DIRECT;
        private int resizeSize;
        private ColorMode colorMode = ColorMode.RGB;
        private ChannelOrder channelOrder = ChannelOrder.RGB;
        private double scale = 1.0 / 255.0;
        private List<Double> mean;
        private List<Double> std;
        private Layout layout = Layout.NCHW;
        private OutputKind output = OutputKind.AUTO;
        private String embedding;

        private Builder(int height, int width) {
            this.height = height;
            this.width = width;
        }

        /** Resize directly to H x W (the default). */
        public Builder optResizeDirect() {
            this.resize = ResizePolicy.DIRECT;
            this.resizeSize = 0;
            return this;
        }

        /** Resize the shorter side to {@code size}, then center-crop H x W. */
        public Builder optResizeShorterSide(int size) {
            this.resize = ResizePolicy.SHORTER_SIDE;
            this.resizeSize = size;
            return this;
        }

        public Builder optColorMode(ColorMode mode) {
            this.colorMode = mode;
            return this;
        }

        public Builder optChannelOrder(ChannelOrder order) {
            this.channelOrder = order;
            return this;
        }

        public Builder optScale(double value) {
            this.scale = value;
            return this;
        }

        public Builder optMean(double... values) {
            this.mean = toList(values);
            return this;
        }

        public Builder optStd(double... values) {
            this.std = toList(values);
            return this;
        }

        public Builder optLayout(Layout value) {
            this.layout = value;
            return this;
        }

        public Builder optOutput(OutputKind value) {
            this.output = value;
            return this;
        }

        /** Names the model value to use as the embedding instead of finding it automatically. */
        public Builder optEmbedding(String valueName) {
            this.embedding = valueName;
            return this;
        }

        /** @throws IllegalArgumentException if a value is invalid (see the record's constructor) */
        public PreprocessSpec build() {
            int c = colorMode == null ? 3 : colorMode.channels();
            List<Double> m = mean != null ? mean : Collections.nCopies(c, 0.0);
            List<Double> s = std != null ? std : Collections.nCopies(c, 1.0);
            return new PreprocessSpec(version, height, width, resize, resizeSize, colorMode, channelOrder, scale, m,
                    s, layout, output, embedding);
        }

        private static List<Double> toList(double[] values) {
            List<Double> list = new ArrayList<>(values.length);
            for (double v : values) {
                list.add(v);
            }
            return list;
        }
    }

    private static void checkSide(String name, int value) {
        if (value < 1 || value > MAX_SIDE) {
            throw new IllegalArgumentException(name + ": expected an integer from 1 to " + MAX_SIDE + ", found "
                    + value);
        }
    }

    private static List<Double> checkPerChannel(String name, List<Double> values, ColorMode mode, boolean positive) {
        Objects.requireNonNull(values, name);
        if (values.size() != mode.channels()) {
            throw new IllegalArgumentException(name + ": expected " + mode.channels() + " number(s), one per channel "
                    + "of color_mode \"" + mode.json() + "\", found " + values.size() + " " + values);
        }
        for (Double v : values) {
            if (v == null || !Double.isFinite(v) || (positive && v <= 0)) {
                throw new IllegalArgumentException(name + ": expected finite numbers" + (positive ? " > 0" : "")
                        + ", found " + values);
            }
        }
        return List.copyOf(values);
    }

    private static ModelPackageException invalid(String message, Throwable cause) {
        return new ModelPackageException(ModelPackageException.Reason.INVALID_PREPROCESS,
                "preprocess.json: " + message, cause);
    }

    private static int intValue(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof Double d) || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + ": expected an integer, found " + describe(v));
        }
        return d.intValue();
    }

    private static double numberValue(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof Double d)) {
            throw new IllegalArgumentException(key + ": expected a number, found " + describe(v));
        }
        return d;
    }

    private static List<Double> numberList(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(key + ": expected an array of numbers, found " + describe(v));
        }
        List<Double> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof Double d)) {
                throw new IllegalArgumentException(key + ": expected an array of numbers, found an element "
                        + describe(o));
            }
            out.add(d);
        }
        return out;
    }

    private static <E extends Enum<E>> E enumValue(Map<String, Object> map, String key, E[] values,
                                                   java.util.function.Function<E, String> json) {
        Object v = map.get(key);
        List<String> names = new ArrayList<>();
        for (E e : values) {
            names.add("\"" + json.apply(e) + "\"");
        }
        if (v instanceof String s) {
            String lower = s.toLowerCase(Locale.ROOT);
            for (E e : values) {
                if (json.apply(e).equals(lower)) {
                    return e;
                }
            }
        }
        throw new IllegalArgumentException(key + ": expected one of " + String.join(", ", names) + ", found "
                + describe(v));
    }

    /** {@code text} as the inside of a JSON string, non-ASCII escaped so the document stays ASCII. */
    private static String jsonEscape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String describe(Object v) {
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        if (v instanceof Double d) {
            return "the number " + (d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue())
                    : d.toString());
        }
        return typeName(v) + (v instanceof Boolean ? " " + v : "");
    }

    private static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Double) {
            return "a number";
        }
        return "a string";
    }
}
