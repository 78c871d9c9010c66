package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.PoolGeometry;
import dev.retina.engine.tensor.Shape;
import java.util.List;

/**
 * Base of MaxPool and AveragePool over a 4-D NCHW input: output {@code [N, C, outH, outW]} with
 * {@code out = floor_or_ceil((in + padBegin + padEnd - dilation * (k - 1) - 1) / stride) + 1} (see
 * {@link PoolGeometry#outputSize}). kernel_shape is required.
 */
abstract class PoolOp implements Op {

    final OpContext ctx;
    final PoolGeometry geometry;
    final int planes;

    PoolOp(OpContext ctx) {
        this.ctx = ctx;
        ctx.requireFloat(0);
        Shape x = ctx.shape(0);
        if (x.rank() != 4) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "expected a 4-D input [N, C, H, W], found " + x);
        }
        int[] kernel = ctx.attrInts("kernel_shape", null);
        if (kernel == null) {
            throw ctx.error(Reason.INVALID_MODEL, "required attribute 'kernel_shape' is missing");
        }
        long ceil = ctx.attrLong("ceil_mode", 0);
        if (ceil != 0 && ceil != 1) {
            throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, "ceil_mode expected 0 or 1, found " + ceil);
        }
        Window2d w = Window2d.resolve(ctx, kernel, x.dim(2), x.dim(3));
        int outH = PoolGeometry.outputSize(x.dim(2), w.kernelH(), w.strideH(), w.padTop(), w.padBottom(),
                w.dilationH(), ceil == 1);
        int outW = PoolGeometry.outputSize(x.dim(3), w.kernelW(), w.strideW(), w.padLeft(), w.padRight(),
                w.dilationW(), ceil == 1);
        if (outH < 1 || outW < 1) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "input " + x + " is too small for kernel "
                    + java.util.Arrays.toString(kernel) + ": output would be " + outH + "x" + outW);
        }
        if (w.padTop() >= w.kernelH() || w.padLeft() >= w.kernelW() || w.padBottom() >= w.kernelH()
                || w.padRight() >= w.kernelW()) {
            throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, "pads expected smaller than the kernel "
                    + java.util.Arrays.toString(kernel) + ", found [" + w.padTop() + ", " + w.padLeft() + ", "
                    + w.padBottom() + ", " + w.padRight() + "]");
        }
        this.geometry = new PoolGeometry(x.dim(2), x.dim(3), outH, outW, w.kernelH(), w.kernelW(), w.strideH(),
                w.strideW(), w.padTop(), w.padLeft(), w.padBottom(), w.padRight(), w.dilationH(), w.dilationW());
        this.planes = x.dim(0) * x.dim(1);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        Shape x = in.get(0);
        return List.of(Shape.of(x.dim(0), x.dim(1), geometry.outH(), geometry.outW()));
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0};
    }

    @Override
    public boolean keepsImagesApart() {
        return true;
    }
}
