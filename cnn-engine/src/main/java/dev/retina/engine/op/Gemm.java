package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.BinaryOp;
import dev.retina.engine.kernel.Broadcast;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.kernel.GemmEpilogue;
import dev.retina.engine.kernel.PackedMatrix;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.List;

/**
 * ONNX Gemm: {@code Y (M x N) = alpha * A' * B' + beta * C}, A' = transA ? A^T : A (M x K),
 * B' = transB ? B^T : B (K x N), C optional and unidirectionally broadcast to M x N. Attributes
 * alpha (1), beta (1), transA (0), transB (0).
 *
 * <p>With a constant B (the weights of a fully connected layer) the product is computed transposed,
 * {@code Y^T = B'^T * A'^T}, so B'^T is the GEMM's packed left operand and a C of shape [N] or [1, N]
 * becomes the per-row bias of the epilogue. Other C shapes are pre-filled into Y and accumulated.
 * A fused activation runs in the epilogue.
 */
public final class Gemm implements Op {

    private final OpContext ctx;
    private final int m;
    private final int n;
    private final int k;
    private final boolean transA;
    private final boolean transB;
    private final float alpha;
    private final PackedMatrix packedBt;
    private final float[] rowBias;
    private final float[] fill;
    private final Broadcast fillPlan;

    public Gemm(OpContext ctx) {
        this.ctx = ctx;
        ctx.requireArity(2, 3, 1);
        ctx.allowAttributes("alpha", "beta", "transA", "transB");
        ctx.requireFloat(0);
        ctx.requireFloat(1);
        ctx.requireRank(0, 2);
        ctx.requireRank(1, 2);
        this.alpha = ctx.attrFloat("alpha", 1f);
        float beta = ctx.attrFloat("beta", 1f);
        this.transA = ctx.attrLong("transA", 0) != 0;
        this.transB = ctx.attrLong("transB", 0) != 0;
        Shape a = ctx.shape(0);
        Shape b = ctx.shape(1);
        this.m = transA ? a.dim(1) : a.dim(0);
        this.k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        this.n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "inner dimensions differ: A' is " + m + "x" + k + " (A " + a
                    + ", transA " + transA + ") but B' is " + kb + "x" + n + " (B " + b + ", transB " + transB + ")");
        }
        Tensor c = ctx.hasInput(2) ? ctx.floatConstant(2, "C") : null;
        Shape mn = Shape.of(m, n);
        if (c != null && !Broadcast.outputShape(c.shape(), mn).equals(mn)) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "C expected to broadcast to [" + m + ", " + n + "], found "
                    + c.shape());
        }
        boolean perColumn = c != null && beta != 0f && c.shape().size() == n
                && (c.shape().rank() == 1 || c.shape().rank() == 2 && c.shape().dim(0) == 1);
        this.rowBias = perColumn ? scaled(c.data(), beta) : null;
        this.fill = c != null && beta != 0f && !perColumn ? scaled(c.data(), beta) : null;
        this.fillPlan = fill == null ? null : Broadcast.of(c.shape(), mn);
        if (ctx.constant(1) instanceof Tensor bConst) {
            // B'^T is N x K: element (j, p) = B'[p][j].
            int rs = transB ? k : 1;
            int cs = transB ? 1 : n;
            this.packedBt = ctx.prepared(List.of("gemmB", bConst, transB, ctx.kernels()),
                    () -> ctx.kernels().packMatrix(bConst.data(), 0, n, k, rs, cs));
        } else {
            this.packedBt = null;
        }
    }

    private static float[] scaled(float[] v, float beta) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= beta;
        }
        return out;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(Shape.of(m, n));
    }

    @Override
    public int[] runtimeInputs() {
        return packedBt == null ? new int[] {0, 1} : new int[] {0};
    }

    /** Rows of A are images when A is not transposed and B is a packed weight. */
    @Override
    public boolean keepsImagesApart() {
        return !transA && packedBt != null;
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        float[] y = outputs[0];
        if (fill != null) {
            // Y = beta * C broadcast, then the product is accumulated onto it.
            for (int i = 0; i < m * n; i++) {
                y[i] = 0f;
            }
            ctx.kernels().binary(BinaryOp.ADD, fillPlan, fill, y, y, cc);
        }
        GemmEpilogue ep = new GemmEpilogue(alpha, rowBias, 0, fill != null, ctx.fused());
        float[] a = inputs[0];
        // A'^T as a K x M view: element (p, i) = A'[i][p].
        int aRs = transA ? m : 1;
        int aCs = transA ? 1 : k;
        if (packedBt != null) {
            // Y^T (N x M): element (j, i) stored at i * n + j.
            ctx.kernels().gemm(packedBt, a, 0, aRs, aCs, m, y, 0, 1, n, ep, cc);
        } else {
            // Run-time B: plain product into scratch (this op runs outside any parallel chunk).
            float[] b = inputs[1];
            float[] product = cc.scratch(0, m * n);
            ctx.kernels().matmul(a, 0, transA ? 1 : k, transA ? m : 1, b, 0, transB ? 1 : n, transB ? k : 1,
                    product, 0, m, n, k);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    y[i * n + j] = ep.finish(j, product[i * n + j], y[i * n + j]);
                }
            }
        }
    }

    @Override
    public long macs() {
        return (long) m * n * k;
    }
}
