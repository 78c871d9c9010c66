package dev.retina.engine.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The layer sequence of a trainable network, parsed from a compact string such as
 * {@code conv:16:5:2,relu,pool:2,conv:32:3,relu,pool:2,dense:64,relu} or a preset name.
 *
 * <p>When a network is built for {@code k} classes, a {@code flatten} is inserted wherever a dense layer
 * follows a {@code [C, H, W]} activation, and a final {@code dense:k} is appended unless the last
 * layer already is a dense layer (which must then have {@code k} outputs). The classifier's loss is
 * softmax cross-entropy; the exported model ends in Softmax.
 */
public record Architecture(List<LayerSpec> layers) {

    /**
     * Named architectures: a small (14.6k parameters) and a medium (69k) shape classifier for 64x64 RGB, whose
     * first convolution has stride 2 to keep training cheap, and LeNet-5's layer widths (6, 16, 120, 84)
     * with ReLU and max pooling for 28x28 grayscale.
     */
    public static final Map<String, String> PRESETS = Map.of(
            "shapes-s", "conv:12:5:2,relu,pool:2,conv:24:3,relu,pool:2,conv:32:3,relu,pool:2",
            "shapes-m", "conv:16:5:2,relu,pool:2,conv:32:3,relu,pool:2,conv:48:3,relu,pool:2,dense:64,relu",
            "lenet", "conv:6:5,relu,pool:2,conv:16:5:1:0,relu,pool:2,dense:120,relu,dense:84,relu");

    public Architecture {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an architecture needs at least one layer");
        }
    }

    /** Parses a preset name or a comma-separated layer list (see {@link LayerSpec} for the tokens). */
    public static Architecture parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected an architecture (a preset " + PRESETS.keySet()
                    + " or layers like conv:16:3,relu,pool:2,dense:10), found nothing");
        }
        String preset = PRESETS.get(text.strip().toLowerCase(Locale.ROOT));
        String spec = preset != null ? preset : text;
        List<LayerSpec> out = new ArrayList<>();
        for (String raw : spec.split(",")) {
            out.add(parseLayer(raw.strip(), text));
        }
        return new Architecture(out);
    }

    private static LayerSpec parseLayer(String token, String whole) {
        String[] p = token.toLowerCase(Locale.ROOT).split(":");
        try {
            switch (p[0]) {
                case "conv":
                    if (p.length < 3 || p.length > 5) {
                        break;
                    }
                    int k = Integer.parseInt(p[2]);
                    return new LayerSpec.Conv(Integer.parseInt(p[1]), k,
                            p.length > 3 ? Integer.parseInt(p[3]) : 1, p.length > 4 ? Integer.parseInt(p[4]) : k / 2);
                case "relu":
                    if (p.length == 1) {
                        return new LayerSpec.Relu();
                    }
                    break;
                case "pool":
                    if (p.length == 2 || p.length == 3) {
                        int pk = Integer.parseInt(p[1]);
                        return new LayerSpec.MaxPool(pk, p.length == 3 ? Integer.parseInt(p[2]) : pk);
                    }
                    break;
                case "flatten":
                    if (p.length == 1) {
                        return new LayerSpec.Flatten();
                    }
                    break;
                case "dense":
                    if (p.length == 2) {
                        return new LayerSpec.Dense(Integer.parseInt(p[1]));
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("layer '" + token + "' in architecture '" + whole
                    + "': expected integer arguments, found " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer '" + token + "' in architecture '" + whole + "': "
                    + e.getMessage(), e);
        }
        throw new IllegalArgumentException("layer '" + token + "' in architecture '" + whole
                + "': expected one of conv:OUT:K[:STRIDE[:PAD]], relu, pool:K[:STRIDE], flatten, dense:OUT,"
                + " or a preset " + PRESETS.keySet());
    }

    /** The canonical string, with every default spelled out; {@link #parse} of it gives an equal value. */
    @Override
    public String toString() {
        return layers.stream().map(LayerSpec::token).collect(Collectors.joining(","));
    }
}
