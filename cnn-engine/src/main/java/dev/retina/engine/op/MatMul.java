package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.kernel.GemmEpilogue;
import dev.retina.engine.kernel.PackedMatrix;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX MatMul with numpy semantics: the last two dims are multiplied ({@code [..., M, K] x [..., K, N]}),
 * leading (batch) dims broadcast; a 1-D A is a row vector and a 1-D B a column vector, their unit dim
 * removed from the result. A constant 2-D B is packed once and used as the GEMM's left operand of the
 * transposed product.
 */
public final class MatMul implements Op {

    private final OpContext ctx;
    private final int m;
    private final int n;
    private final int k;
    private final Shape out;
    private final int[] batchDims;
    private final int[] aBatchStrides;
    private final int[] bBatchStrides;
    private final int batchCount;
    private final PackedMatrix packedBt;

    public MatMul(OpContext ctx) {
        this.ctx = ctx;
        ctx.requireArity(2, 2, 1);
        ctx.allowAttributes();
        ctx.requireFloat(0);
        ctx.requireFloat(1);
        Shape a = ctx.shape(0);
        Shape b = ctx.shape(1);
        if (a.rank() == 0 || b.rank() == 0) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "expected inputs of rank >= 1, found " + a + " and " + b);
        }
        Shape a2 = a.rank() == 1 ? Shape.of(1, a.dim(0)) : a;
        Shape b2 = b.rank() == 1 ? Shape.of(b.dim(0), 1) : b;
        this.m = a2.dim(-2);
        this.k = a2.dim(-1);
        this.n = b2.dim(-1);
        if (b2.dim(-2) != k) {
            throw ctx.error(Reason.SHAPE_MISMATCH, "inner dimensions differ: " + a + " x " + b);
        }
        int rank = Math.max(a2.rank(), b2.rank()) - 2;
        batchDims = new int[rank];
        aBatchStrides = new int[rank];
        bBatchStrides = new int[rank];
        int aStride = m * k;
        int bStride = k * n;
        for (int i = rank - 1; i >= 0; i--) {
            int ai = i - (rank - (a2.rank() - 2));
            int bi = i - (rank - (b2.rank() - 2));
            int da = ai >= 0 ? a2.dim(ai) : 1;
            int db = bi >= 0 ? b2.dim(bi) : 1;
            if (da != db && da != 1 && db != 1) {
                throw ctx.error(Reason.SHAPE_MISMATCH, "batch dimensions do not broadcast: " + a + " x " + b);
            }
            batchDims[i] = Math.max(da, db);
            aBatchStrides[i] = da == 1 ? 0 : aStride;
            bBatchStrides[i] = db == 1 ? 0 : bStride;
            aStride *= da;
            bStride *= db;
        }
        int count = 1;
        List<Integer> dims = new ArrayList<>();
        for (int d : batchDims) {
            dims.add(d);
            count *= d;
        }
        this.batchCount = count;
        if (a.rank() > 1) {
            dims.add(m);
        }
        if (b.rank() > 1) {
            dims.add(n);
        }
        this.out = Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
        if (ctx.constant(1) instanceof Tensor bConst && b.rank() == 2) {
            this.packedBt = ctx.prepared(List.of("matmulB", bConst, ctx.kernels()),
                    () -> ctx.kernels().packMatrix(bConst.data(), 0, n, k, 1, n));
        } else {
            this.packedBt = null;
        }
    }

    @Override
    public List<Shape> outputShapes(List<Shape> in) {
        return List.of(out);
    }

    @Override
    public int[] runtimeInputs() {
        return packedBt == null ? new int[] {0, 1} : new int[] {0};
    }

    @Override
    public void run(float[][] inputs, float[][] outputs, ComputeContext cc) {
        float[] a = inputs[0];
        float[] y = outputs[0];
        for (int t = 0; t < batchCount; t++) {
            int aOff = 0;
            int bOff = 0;
            int rem = t;
            for (int d = batchDims.length - 1; d >= 0; d--) {
                int idx = rem % batchDims[d];
                rem /= batchDims[d];
                aOff += idx * aBatchStrides[d];
                bOff += idx * bBatchStrides[d];
            }
            int yOff = t * m * n;
            if (packedBt != null) {
                // Y^T (N x M) = B^T * A^T, stored row-major as Y.
                ctx.kernels().gemm(packedBt, a, aOff, 1, k, m, y, yOff, 1, n, GemmEpilogue.NONE, cc);
            } else {
                ctx.kernels().matmul(a, aOff, k, 1, inputs[1], bOff, n, 1, y, yOff, m, n, k);
            }
        }
    }

    @Override
    public long macs() {
        return (long) batchCount * m * n * k;
    }
}
