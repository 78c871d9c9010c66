package dev.retina.engine.testing;

import java.util.List;

/**
 * Whole test networks with the structure of well-known CNNs, built in code with seeded random weights and a dynamic
 * batch dimension. Each has one float input {@value #INPUT} and one float output {@value #OUTPUT}.
 *
 * <p>The layer structure follows torchvision's definitions (channel counts, strides, paddings, block layout); the
 * graph is written with the idioms PyTorch's exporter emits (Flatten or Shape/Gather/Unsqueeze/Concat/Reshape,
 * Dropout, Identity, Clip for ReLU6). The weights are random, so class scores mean nothing; only the arithmetic is real.
 */
public final class OnnxNetworks {
    /** Name of every network's input. */
    public static final String INPUT = "input";
    /** Name of every network's output. */
    public static final String OUTPUT = "output";

    private OnnxNetworks() {
    }

    /**
     * ResNet-18: conv 7x7/2 + BN + ReLU + max pool 3x3/2, four stages of two basic blocks (64, 128, 256, 512 channels;
     * the first block of stages 2-4 downsamples with stride 2 and a 1x1 conv + BN shortcut), global average pool,
     * Flatten, Gemm to 1000. Input [batch, 3, 224, 224], output [batch, 1000].
     */
    public static byte[] resNet18(int opset, TensorEncoding encoding, long seed) {
        NetworkBuilder net = start("resnet18", opset, encoding, seed);
        String x = net.graph().input(INPUT, -1, 3, 224, 224);
        x = net.relu(net.batchNorm(net.conv(x, 3, 64, 7, 2, 3, 1, false), 64));
        x = net.maxPool(x, 3, 2, 1, false);
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < widths.length; stage++) {
            for (int block = 0; block < 2; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                x = basicBlock(net, x, in, widths[stage], stride);
                in = widths[stage];
            }
        }
        x = net.flatten(net.globalAveragePool(x));
        x = net.linear(x, 512, 1000);
        return finish(net, x, -1, 1000);
    }

    private static String basicBlock(NetworkBuilder net, String x, int in, int out, int stride) {
        String y = net.relu(net.batchNorm(net.conv(x, in, out, 3, stride, 1, 1, false), out));
        y = net.batchNorm(net.conv(y, out, out, 3, 1, 1, 1, false), out);
        String shortcut = stride != 1 || in != out
                ? net.batchNorm(net.conv(x, in, out, 1, stride, 0, 1, false), out)
                : x;
        return net.relu(net.add(y, shortcut));
    }

    /**
     * MobileNetV2 (width 1.0): conv 3x3/2 to 32 + BN + ReLU6, seventeen inverted residual blocks (expansion 6 except
     * the first; 1x1 expand, 3x3 depthwise, linear 1x1 projection, residual Add when stride 1 and widths match), 1x1
     * conv to 1280 + BN + ReLU6, global average pool, flatten by Shape/Gather/Unsqueeze/Concat/Reshape, Dropout, Gemm
     * to 1000. Input [batch, 3, 224, 224], output [batch, 1000].
     */
    public static byte[] mobileNetV2(int opset, TensorEncoding encoding, long seed) {
        NetworkBuilder net = start("mobilenet_v2", opset, encoding, seed);
        String x = net.graph().input(INPUT, -1, 3, 224, 224);
        x = net.relu6(net.batchNorm(net.conv(x, 3, 32, 3, 2, 1, 1, false), 32));
        int in = 32;
        // torchvision's inverted residual settings: expansion t, width c, repeats n, first stride s.
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};
        for (int[] s : settings) {
            for (int i = 0; i < s[2]; i++) {
                x = invertedResidual(net, x, in, s[1], i == 0 ? s[3] : 1, s[0]);
                in = s[1];
            }
        }
        x = net.relu6(net.batchNorm(net.conv(x, in, 1280, 1, 1, 0, 1, false), 1280));
        x = net.flattenByShape(net.globalAveragePool(x));
        x = net.linear(net.dropout(x), 1280, 1000);
        return finish(net, x, -1, 1000);
    }

    private static String invertedResidual(NetworkBuilder net, String x, int in, int out, int stride, int expansion) {
        int hidden = in * expansion;
        String y = x;
        if (expansion != 1) {
            y = net.relu6(net.batchNorm(net.conv(y, in, hidden, 1, 1, 0, 1, false), hidden));
        }
        y = net.relu6(net.batchNorm(net.conv(y, hidden, hidden, 3, stride, 1, hidden, false), hidden));
        y = net.batchNorm(net.conv(y, hidden, out, 1, 1, 0, 1, false), out);
        return stride == 1 && in == out ? net.add(x, y) : y;
    }

    /**
     * SqueezeNet 1.1: conv 3x3/2 to 64 + ReLU, ceil-mode max pools 3x3/2, eight fire modules (1x1 squeeze + ReLU,
     * then 1x1 and 3x3 expand + ReLU concatenated on the channel axis), Dropout, 1x1 conv classifier to 1000 + ReLU,
     * global average pool, Flatten. Input [batch, 3, 224, 224], output [batch, 1000].
     */
    public static byte[] squeezeNet11(int opset, TensorEncoding encoding, long seed) {
        NetworkBuilder net = start("squeezenet1_1", opset, encoding, seed);
        String x = net.graph().input(INPUT, -1, 3, 224, 224);
        x = net.relu(net.conv(x, 3, 64, 3, 2, 0, 1, true));
        x = net.maxPool(x, 3, 2, 0, true);
        x = fire(net, x, 64, 16, 64);
        x = fire(net, x, 128, 16, 64);
        x = net.maxPool(x, 3, 2, 0, true);
        x = fire(net, x, 128, 32, 128);
        x = fire(net, x, 256, 32, 128);
        x = net.maxPool(x, 3, 2, 0, true);
        x = fire(net, x, 256, 48, 192);
        x = fire(net, x, 384, 48, 192);
        x = fire(net, x, 384, 64, 256);
        x = fire(net, x, 512, 64, 256);
        x = net.relu(net.conv(net.dropout(x), 512, 1000, 1, 1, 0, 1, true));
        x = net.flatten(net.globalAveragePool(x));
        return finish(net, x, -1, 1000);
    }

    private static String fire(NetworkBuilder net, String x, int in, int squeeze, int expand) {
        String s = net.relu(net.conv(x, in, squeeze, 1, 1, 0, 1, true));
        String e1 = net.relu(net.conv(s, squeeze, expand, 1, 1, 0, 1, true));
        String e3 = net.relu(net.conv(s, squeeze, expand, 3, 1, 1, 1, true));
        return net.concat(1, e1, e3);
    }

    /**
     * A LeNet-style net: conv 5x5 to 6 + ReLU + max pool 2x2, conv 5x5 to 16 + ReLU + max pool 2x2, Reshape to
     * [-1, 256], Gemm 256-120 + ReLU, 120-84 + ReLU, 84-10, Softmax. Input [batch, 1, 28, 28], output [batch, 10]
     * (class probabilities).
     */
    public static byte[] leNet(int opset, TensorEncoding encoding, long seed) {
        NetworkBuilder net = start("lenet", opset, encoding, seed);
        String x = net.graph().input(INPUT, -1, 1, 28, 28);
        x = net.maxPool(net.relu(net.conv(x, 1, 6, 5, 1, 0, 1, true)), 2, 2, 0, false);
        x = net.maxPool(net.relu(net.conv(x, 6, 16, 5, 1, 0, 1, true)), 2, 2, 0, false);
        x = net.reshape(x, -1, 16 * 4 * 4);
        x = net.relu(net.linear(x, 256, 120));
        x = net.relu(net.linear(x, 120, 84));
        x = net.softmax(net.linear(x, 84, 10), 1);
        return finish(net, x, -1, 10);
    }

    private static NetworkBuilder start(String name, int opset, TensorEncoding encoding, long seed) {
        return new NetworkBuilder(OnnxGraphBuilder.create(name, opset).encoding(encoding), seed);
    }

    /** Names the result {@value #OUTPUT} through an Identity node, as PyTorch's exporter sometimes leaves one. */
    private static byte[] finish(NetworkBuilder net, String x, int... outputDims) {
        net.graph().node("Identity", List.of(x), OUTPUT);
        net.graph().output(OUTPUT, outputDims);
        return net.graph().build();
    }
}
