package dev.retina.engine.kernel;

/**
 * Geometry of one 2-D convolution over an NCHW input with OIHW weights
 * ({@code [outChannels, inChannels / group, kernelH, kernelW]}).
 *
 * <p>Output size per spatial axis: {@code out = floor((in + padBegin + padEnd - dilation * (k - 1) - 1)
 * / stride) + 1}. Input channel {@code c} belongs to group {@code c / (inChannels / group)}, and so
 * does output channel {@code o / (outChannels / group)}.
 *
 * <p>The output is normally a tensor of its own, {@code [N, outChannels, outH, outW]}. It may instead be
 * a slice of a larger one along the channels, {@code [N, outImageChannels, outH, outW]} from channel
 * {@code outChannelOffset} (a Concat of convolutions written in place, {@link #withOutputSlice}):
 * output channel {@code o} of image {@code n} is then plane {@code n * outImageChannels +
 * outChannelOffset + o}, and nothing outside the slice is written.
 */
public record ConvGeometry(int inChannels, int inH, int inW, int outChannels, int outH, int outW,
                           int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int dilationH, int dilationW, int group,
                           int outImageChannels, int outChannelOffset) {

    public ConvGeometry {
        if (outChannelOffset < 0 || outChannelOffset + outChannels > outImageChannels) {
            throw new IllegalArgumentException("output channels [" + outChannelOffset + ", "
                    + (outChannelOffset + outChannels) + ") expected inside an image of " + outImageChannels
                    + " channels");
        }
    }

    /** A convolution whose output is a tensor of its own. */
    public ConvGeometry(int inChannels, int inH, int inW, int outChannels, int outH, int outW,
                        int kernelH, int kernelW, int strideH, int strideW,
                        int padTop, int padLeft, int dilationH, int dilationW, int group) {
        this(inChannels, inH, inW, outChannels, outH, outW, kernelH, kernelW, strideH, strideW, padTop, padLeft,
                dilationH, dilationW, group, outChannels, 0);
    }

    /** This convolution writing channels {@code [offset, offset + outChannels)} of images of {@code channels}. */
    public ConvGeometry withOutputSlice(int offset, int channels) {
        return new ConvGeometry(inChannels, inH, inW, outChannels, outH, outW, kernelH, kernelW, strideH, strideW,
                padTop, padLeft, dilationH, dilationW, group, channels, offset);
    }

    /** True when the output is a channel slice of a larger tensor ({@link #withOutputSlice}). */
    public boolean isSliced() {
        return outImageChannels != outChannels;
    }

    /** Index in the output array of output channel {@code channel}'s plane of image {@code image}. */
    public int outOffset(int image, int channel) {
        return (image * outImageChannels + outChannelOffset + channel) * outH * outW;
    }

    /** Input channels per group. */
    public int inPerGroup() {
        return inChannels / group;
    }

    /** Output channels per group. */
    public int outPerGroup() {
        return outChannels / group;
    }

    /** True for depthwise convolution: one input and one output channel per group. */
    public boolean isDepthwise() {
        return group == inChannels && group == outChannels;
    }

    /** True when the convolution is a plain matrix product over channels (1x1, stride 1, no pad). */
    public boolean isPointwise() {
        return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1
                && padTop == 0 && padLeft == 0 && outH == inH && outW == inW;
    }

    /** Multiply-accumulates per image. */
    public long macs() {
        return (long) outChannels * outH * outW * inPerGroup() * kernelH * kernelW;
    }

    /** Output size of one spatial axis by the formula in the class comment. */
    public static int outputSize(int in, int kernel, int stride, int padBegin, int padEnd, int dilation) {
        return Math.floorDiv(in + padBegin + padEnd - dilation * (kernel - 1) - 1, stride) + 1;
    }
}
