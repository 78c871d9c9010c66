package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.Activation;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.kernel.ConvGeometry;
import dev.retina.engine.kernel.ConvWeights;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.List;

/**
 * ONNX Conv, 2-D: X {@code [N, C, H, W]}, W {@code [M, C / group, kH, kW]} (OIHW, constant), optional
 * B {@code [M]}; Y {@code [N, M, outH, outW]} with {@code out = floor((in + padBegin + padEnd -
 * dilation * (k - 1) - 1) / stride) + 1}. Attributes: auto_pad, dilations, group, kernel_shape, pads,
 * strides. An activation fused at load time runs in the kernel's epilogue.
 */
public final class Conv implements Op {

    private final OpContext ctx;
    private final ConvGeometry geometry;
    private final ConvWeights weights;

    public Conv(OpContext ctx) {
        this.ctx = ctx;
        ctx.requireArity(2, 3, 1);
        ctx.allowAttributes("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        Shape x = ctx.shape(0);
        Tensor w = ctx.floatConstant(1, "W");
        if (x.rank() != 4) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "expected a 4-D input [N, C, H, W], found " + x);
        }
        if (w.shape().rank() != 4) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "expected 4-D weights [M, C/group, kH, kW], found " + w.shape());
        }
        int group = ctx.attrInt("group", 1);
        int outC = w.shape().dim(0);
        int inC = x.dim(1);
        if (group < 1 || inC % group != 0 || outC % group != 0 || w.shape().dim(1) * group != inC) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "group " + group + " expected to divide input channels " + inC
                    + " and output channels " + outC + " with weights [M, C/group, ...], found weights "
                    + w.shape());
        }
        int[] kernel = ctx.attrInts("kernel_shape", new int[] {w.shape().dim(2), w.shape().dim(3)});
        if (kernel.length != 2 || kernel[0] != w.shape().dim(2) || kernel[1] != w.shape().dim(3)) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "kernel_shape " + java.util.Arrays.toString(kernel)
                    + " does not match weights " + w.shape());
        }
        Tensor bias = ctx.hasInput(2) ? ctx.floatConstant(2, "B") : null;
        if (bias != null && (bias.shape().rank() != 1 || bias.shape().dim(0) != outC)) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "bias expected shape [" + outC + "], found " + bias.shape());
        }
        Window2d win = Window2d.resolve(ctx, kernel, x.dim(2), x.dim(3));
        int outH = ConvGeometry.outputSize(x.dim(2), win.kernelH(), win.strideH(), win.padTop(), win.padBottom(),
                win.dilationH());
        int outW = ConvGeometry.outputSize(x.dim(3), win.kernelW(), win.strideW(), win.padLeft(), win.padRight(),
                win.dilationW());
        if (outH < 1 || outW < 1) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "input " + x + " is too small for kernel "
                    + java.util.Arrays.toString(kernel) + " with these pads/dilations: output would be "
                    + outH + "x" + outW);
        }
        this.geometry = new ConvGeometry(inC, x.dim(2), x.dim(3), outC, outH, outW, win.kernelH(), win.kernelW(),
                win.strideH(), win.strideW(), win.padTop(), win.padLeft(), win.dilationH(), win.dilationW(), group);
        this.weights = ctx.prepared(List.of("conv", w, bias == null ? "" : bias, ctx.kernels()),
                () -> ctx.kernels().prepareConv(w.data(), bias == null ? null : bias.data(), outC,
                        inC / group, win.kernelH(), win.kernelW(), group));
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(Shape.of(ctx.shape(0).dim(0), geometry.outChannels(), geometry.outH(), geometry.outW()));
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        ctx.kernels().conv2d(geometry, weights, ctx.fused(), inputs[0], outputs[0], ctx.shape(0).dim(0), cc);
    }

    @Override
    public long macs() {
        return geometry.macs() * ctx.shape(0).dim(0);
    }

    @Override
    public boolean keepsImagesApart() {
        return true;
    }

    public ConvGeometry geometry() {
        return geometry;
    }

    /** The activation fused into this convolution at load time. */
    public Activation activation() {
        return ctx.fused();
    }

    /**
     * This convolution with a residual tensor added before {@code activation}:
     * {@code Y = activation(conv(X) + R)}, the form of a residual block's {@code Add} (and {@code Relu})
     * after its last convolution. The op reads node inputs 0 (X) and 3 (R, the output's shape
     * {@code [N, M, outH, outW]}), so the plan compiler gives it a node with R as fourth input.
     *
     * @throws IllegalStateException if this convolution already has a fused activation (it would
     *                               have to run before the addition)
     */
    public Op withResidual(Activation activation) {
        if (!ctx.fused().isNone()) {
            throw new IllegalStateException(ctx.where() + ": a residual can only be added to a convolution"
                    + " without a fused activation, found " + ctx.fused());
        }
        return new Residual(this, activation);
    }

    /**
     * Convolutions whose outputs a Concat joins along the channels, as one op that writes each straight
     * into its slice of the joined output ({@link ConvGeometry#withOutputSlice}) instead of into a tensor
     * of its own that the Concat then copies. The op reads one runtime input per convolution, its X, in
     * the Concat's order, and runs them in that order.
     *
     * @throws IllegalArgumentException if the convolutions' outputs differ outside the channels
     */
    public static Op concatenated(List<Conv> convs) {
        return new Concatenated(convs);
    }

    /** See {@link #concatenated}. */
    private static final class Concatenated implements Op {
        private final Conv[] convs;
        private final ConvGeometry[] slices;
        private final Shape out;

        Concatenated(List<Conv> list) {
            convs = list.toArray(new Conv[0]);
            Conv first = convs[0];
            int channels = 0;
            for (Conv c : convs) {
                if (c.geometry.outH() != first.geometry.outH() || c.geometry.outW() != first.geometry.outW()
                        || c.ctx.shape(0).dim(0) != first.ctx.shape(0).dim(0)) {
                    throw new IllegalArgumentException(c.ctx.where() + ": output " + c.outputShapes(null).get(0)
                            + " expected to match " + first.outputShapes(null).get(0) + " outside the channels");
                }
                channels += c.geometry.outChannels();
            }
            slices = new ConvGeometry[convs.length];
            int offset = 0;
            for (int i = 0; i < convs.length; i++) {
                slices[i] = convs[i].geometry.withOutputSlice(offset, channels);
                offset += convs[i].geometry.outChannels();
            }
            out = Shape.of(first.ctx.shape(0).dim(0), channels, first.geometry.outH(), first.geometry.outW());
        }

        @Override
        public List<Shape> outputShapes(List<Shape> in) {
            return List.of(out);
        }

        @Override
        public int[] runtimeInputs() {
            return Op.firstInputs(convs.length);
        }

        @Override
        public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
            for (int i = 0; i < convs.length; i++) {
                Conv c = convs[i];
                c.ctx.kernels().conv2d(slices[i], c.weights, c.ctx.fused(), inputs[i], outputs[0], out.dim(0), cc);
            }
        }

        @Override
        public long macs() {
            long macs = 0;
            for (Conv c : convs) {
                macs += c.macs();
            }
            return macs;
        }

        @Override
        public boolean keepsImagesApart() {
            return true;
        }
    }

    /** {@code Y = act(conv(X) + R)}; see {@link #withResidual}. */
    private static final class Residual implements Op {
        private final Conv conv;
        private final Activation activation;

        Residual(Conv conv, Activation activation) {
            this.conv = conv;
            this.activation = activation;
        }

        @Override
        public List<Shape> outputShapes(List<Shape> in) {
            return conv.outputShapes(in);
        }

        @Override
        public int[] runtimeInputs() {
            return new int[] {0, 3};
        }

        @Override
        public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
            conv.ctx.kernels().conv2dResidual(conv.geometry, conv.weights, activation, inputs[0], inputs[1],
                    outputs[0], conv.ctx.shape(0).dim(0), cc);
        }

        @Override
        public long macs() {
            return conv.macs();
        }

        @Override
        public boolean keepsImagesApart() {
            return true;
        }
    }
}
