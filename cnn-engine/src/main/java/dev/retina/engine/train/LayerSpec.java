package dev.retina.engine.train;

/**
 * One layer of a trainable network, as written in an architecture string (see {@link Architecture}).
 * Activations are per image: {@code [C, H, W]} (row-major) for convolution and pooling layers,
 * {@code [N]} after {@link Flatten} or {@link Dense}.
 */
public sealed interface LayerSpec
        permits LayerSpec.Conv, LayerSpec.Relu, LayerSpec.MaxPool, LayerSpec.Flatten, LayerSpec.Dense {

    /** The token of this layer in an architecture string. */
    String token();

    /**
     * 2-D convolution with bias: weight {@code [out, in, kernel, kernel]}, square kernel, equal stride and
     * zero padding on both axes. Output side {@code (side + 2 * pad - kernel) / stride + 1}.
     * Token {@code conv:OUT:KERNEL[:STRIDE[:PAD]]}, stride 1 and pad {@code kernel / 2} by default.
     */
    record Conv(int outChannels, int kernel, int stride, int pad) implements LayerSpec {
        public Conv {
            positive("conv output channels", outChannels);
            positive("conv kernel", kernel);
            positive("conv stride", stride);
            if (pad < 0 || pad >= kernel) {
                throw new IllegalArgumentException("conv pad must be in [0, kernel), found " + pad
                        + " for kernel " + kernel);
            }
        }

        @Override
        public String token() {
            return "conv:" + outChannels + ":" + kernel + ":" + stride + ":" + pad;
        }
    }

    /** {@code max(0, x)}. Token {@code relu}. */
    record Relu() implements LayerSpec {
        @Override
        public String token() {
            return "relu";
        }
    }

    /**
     * Max pooling without padding; output side {@code (side - kernel) / stride + 1} (floor). Token
     * {@code pool:KERNEL[:STRIDE]}, stride = kernel by default.
     */
    record MaxPool(int kernel, int stride) implements LayerSpec {
        public MaxPool {
            positive("pool kernel", kernel);
            positive("pool stride", stride);
        }

        @Override
        public String token() {
            return "pool:" + kernel + ":" + stride;
        }
    }

    /** {@code [C, H, W]} to {@code [C * H * W]}, in row-major order (ONNX Flatten, axis 1). Token {@code flatten}. */
    record Flatten() implements LayerSpec {
        @Override
        public String token() {
            return "flatten";
        }
    }

    /** Fully connected layer {@code y = W x + b}, weight {@code [out, in]}. Token {@code dense:OUT}. */
    record Dense(int outFeatures) implements LayerSpec {
        public Dense {
            positive("dense output features", outFeatures);
        }

        @Override
        public String token() {
            return "dense:" + outFeatures;
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, found " + v);
        }
    }
}
