package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.List;

/**
 * ONNX BatchNormalization in inference mode over {@code [N, C, ...]}:
 * {@code y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + B[c]}, evaluated as
 * {@code x * a[c] + b[c]} with the per-channel factors from {@link #factors}. Inputs scale, B, mean,
 * var are constants of shape {@code [C]}. Attributes: epsilon (1e-5), momentum (ignored),
 * training_mode (only 0). Usually folded into the preceding Conv at load time.
 */
public final class BatchNormalization implements Op {

    private final OpContext ctx;
    private final float[] scale;
    private final float[] shift;

    public BatchNormalization(OpContext ctx) {
        this.ctx = ctx;
        ctx.requireArity(5, 5, 1);
        ctx.allowAttributes("epsilon", "momentum", "training_mode", "spatial");
        ctx.requireFloat(0);
        if (ctx.attrLong("training_mode", 0) != 0) {
            throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, "training_mode expected 0 (inference), found "
                    + ctx.attrLong("training_mode", 0));
        }
        if (ctx.attrLong("spatial", 1) != 1) {
            throw ctx.error(Reason.UNSUPPORTED_ATTRIBUTE, "spatial expected 1, found " + ctx.attrLong("spatial", 1));
        }
        Shape x = ctx.shape(0);
        if (x.rank() < 2) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "expected an input of rank >= 2 [N, C, ...], found " + x);
        }
        int channels = x.dim(1);
        Tensor[] params = new Tensor[4];
        String[] roles = {"scale", "B", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            params[i] = ctx.floatConstant(i + 1, roles[i]);
            if (params[i].shape().size() != channels || params[i].shape().rank() != 1) {
                throw ctx.error(Reason.SHAPE_MISMATCH, roles[i] + " expected shape [" + channels + "], found "
                        + params[i].shape());
            }
        }
        float[][] f = factors(params[0].data(), params[1].data(), params[2].data(), params[3].data(),
                ctx.attrFloat("epsilon", 1e-5f));
        this.scale = f[0];
        this.shift = f[1];
    }

    /**
     * The per-channel {@code {a, b}} such that {@code bn(x) = x * a + b}: {@code a = scale / sqrt(var + eps)},
     * {@code b = B - mean * a}. Computed in double to lose no precision before rounding once.
     */
    public static float[][] factors(float[] scale, float[] bias, float[] mean, float[] var, float epsilon) {
        float[] a = new float[scale.length];
        float[] b = new float[scale.length];
        for (int c = 0; c < scale.length; c++) {
            double s = scale[c] / Math.sqrt((double) var[c] + epsilon);
            a[c] = (float) s;
            b[c] = (float) (bias[c] - mean[c] * s);
        }
        return new float[][] {a, b};
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(in.get(0));
    }

    @Override
    public int[] runtimeInputs() {
        return new int[] {0};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        Shape x = ctx.shape(0);
        ctx.kernels().channelAffine(inputs[0], outputs[0], x.dim(0), x.dim(1), (int) x.size(2, x.rank()),
                scale, shift, ctx.fused(), cc);
    }

    @Override
    public boolean keepsImagesApart() {
        return true;
    }
}
