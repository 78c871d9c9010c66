package dev.retina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Elementwise kernels on the Vector API: binary arithmetic with numpy broadcasting, standalone
 * activations and global average pooling, each a reusable per-context loop body (no allocation per
 * call).
 *
 * <p>Binary operations: when neither input is broadcast the output is one flat vector loop; otherwise
 * each output row (last dimension) is a vector loop when each input is contiguous or constant along
 * it, else the reference's scalar loop. Every element gets exactly the reference's single rounding,
 * so results equal {@link ScalarKernels}' bit for bit. Global average pooling sums each plane in
 * vector lanes and then across them, so it differs from the reference's sequential sum by float
 * rounding only. Work is split over contiguous ranges, so results never depend on the thread count.
 */
final class VectorElementwise {

    private static final int L = VectorGemm.L;
    /** Below this many elements a loop runs on the calling thread: a handoff costs more than it saves. */
    private static final int SERIAL_ELEMENTS = 32 * 1024;

    private VectorElementwise() {
    }

    static void binary(BinaryOp op, Broadcast plan, float[] a, float[] b, float[] out, ComputeContext ctx) {
        int rank = plan.outDims().length;
        if (rank == 0) {
            out[0] = op.apply(a[0], b[0]);
            return;
        }
        Binary body = ctx.body(Binary.class, Binary::new);
        body.op = op;
        body.plan = plan;
        body.a = a;
        body.b = b;
        body.out = out;
        body.flat = isContiguous(plan.aStrides(), plan.outDims()) && isContiguous(plan.bStrides(), plan.outDims());
        int inner = plan.outDims()[rank - 1];
        body.inner = inner;
        int items = body.flat ? (plan.outSize() + L - 1) / L : inner == 0 ? 0 : plan.outSize() / inner;
        try {
            run(ctx, body, items, plan.outSize());
        } finally {
            body.a = null;
            body.b = null;
            body.out = null;
        }
    }

    static void activation(Activation act, float[] in, float[] out, int length, ComputeContext ctx) {
        Unary body = ctx.body(Unary.class, Unary::new);
        body.act = act;
        body.in = in;
        body.out = out;
        body.length = length;
        try {
            run(ctx, body, (length + L - 1) / L, length);
        } finally {
            body.in = null;
            body.out = null;
        }
    }

    static void globalAveragePool(float[] in, float[] out, int planes, int spatial, ComputeContext ctx) {
        Average body = ctx.body(Average.class, Average::new);
        body.in = in;
        body.out = out;
        body.spatial = spatial;
        try {
            run(ctx, body, planes, (long) planes * spatial);
        } finally {
            body.in = null;
            body.out = null;
        }
    }

    private static void run(ComputeContext ctx, ComputeContext.RangeBody body, int items, long elements) {
        if (items <= 0) {
            return;
        }
        if (elements < SERIAL_ELEMENTS) {
            body.run(0, 0, items);
        } else {
            ctx.parallelFor(items, body);
        }
    }

    /** True if {@code strides} are the row-major strides of {@code dims} (no broadcast dimension). */
    private static boolean isContiguous(int[] strides, int[] dims) {
        int stride = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] != 1 && strides[d] != stride) {
                return false;
            }
            stride *= dims[d];
        }
        return true;
    }

    /** {@code out = a op b}; items are vectors of the flat output, or output rows. */
    static final class Binary implements ComputeContext.RangeBody {
        private BinaryOp op;
        private Broadcast plan;
        private float[] a;
        private float[] b;
        private float[] out;
        private boolean flat;
        private int inner;

        @Override
        public void run(int chunk, int from, int to) {
            if (flat) {
                int start = from * L;
                int end = Math.min(plan.outSize(), to * L);
                span(op, a, start, 1, b, start, 1, out, start, end - start);
                return;
            }
            int rank = plan.outDims().length;
            int[] dims = plan.outDims();
            int as = plan.aStrides()[rank - 1];
            int bs = plan.bStrides()[rank - 1];
            for (int row = from; row < to; row++) {
                // Decompose the row number into the outer output coordinates.
                int rem = row;
                int aBase = 0;
                int bBase = 0;
                for (int d = rank - 2; d >= 0; d--) {
                    int idx = rem % dims[d];
                    rem /= dims[d];
                    aBase += idx * plan.aStrides()[d];
                    bBase += idx * plan.bStrides()[d];
                }
                span(op, a, aBase, as, b, bBase, bs, out, row * inner, inner);
            }
        }
    }

    /**
     * {@code out[o + j] = a[ai + j * as] op b[bi + j * bs]} for {@code j < n}: vector loops when each
     * input stride is 1 or 0 (broadcast), else scalar.
     */
    private static void span(BinaryOp op, float[] a, int ai, int as, float[] b, int bi, int bs, float[] out, int o,
                             int n) {
        int j = 0;
        if ((as == 1 || as == 0) && (bs == 1 || bs == 0)) {
            int vecEnd = n / L * L;
            switch (op) {
                case ADD:
                    for (; j < vecEnd; j += L) {
                        load(a, ai, as, j).add(load(b, bi, bs, j)).intoArray(out, o + j);
                    }
                    break;
                case SUB:
                    for (; j < vecEnd; j += L) {
                        load(a, ai, as, j).sub(load(b, bi, bs, j)).intoArray(out, o + j);
                    }
                    break;
                case MUL:
                    for (; j < vecEnd; j += L) {
                        load(a, ai, as, j).mul(load(b, bi, bs, j)).intoArray(out, o + j);
                    }
                    break;
                case DIV:
                    for (; j < vecEnd; j += L) {
                        load(a, ai, as, j).div(load(b, bi, bs, j)).intoArray(out, o + j);
                    }
                    break;
                default:
                    throw new IllegalStateException("unhandled " + op);
            }
        }
        for (; j < n; j++) {
            out[o + j] = op.apply(a[ai + j * as], b[bi + j * bs]);
        }
    }

    private static FloatVector load(float[] x, int base, int stride, int j) {
        return stride == 0 ? FloatVector.broadcast(VectorGemm.SPECIES, x[base])
                : FloatVector.fromArray(VectorGemm.SPECIES, x, base + j);
    }

    /** {@code out[i] = act(in[i])}; items are vectors. */
    static final class Unary implements ComputeContext.RangeBody {
        private Activation act;
        private float[] in;
        private float[] out;
        private int length;

        @Override
        public void run(int chunk, int from, int to) {
            int start = from * L;
            int end = Math.min(length, to * L);
            int i = start;
            if (VectorGemm.VectorActivation.supports(act)) {
                int vecEnd = start + (end - start) / L * L;
                for (; i < vecEnd; i += L) {
                    VectorGemm.VectorActivation.apply(act, FloatVector.fromArray(VectorGemm.SPECIES, in, i))
                            .intoArray(out, i);
                }
            }
            for (; i < end; i++) {
                out[i] = act.apply(in[i]);
            }
        }
    }

    /** {@code out[p] = mean of plane p}; items are planes. */
    static final class Average implements ComputeContext.RangeBody {
        private float[] in;
        private float[] out;
        private int spatial;

        @Override
        public void run(int chunk, int from, int to) {
            int vecEnd = spatial / L * L;
            for (int p = from; p < to; p++) {
                int base = p * spatial;
                float sum = vecEnd == 0 ? 0f : laneSum(in, base, vecEnd);
                for (int s = vecEnd; s < spatial; s++) {
                    sum += in[base + s];
                }
                out[p] = sum / spatial;
            }
        }

        private static float laneSum(float[] in, int base, int vecEnd) {
            FloatVector acc = FloatVector.fromArray(VectorGemm.SPECIES, in, base);
            for (int s = L; s < vecEnd; s += L) {
                acc = acc.add(FloatVector.fromArray(VectorGemm.SPECIES, in, base + s));
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }
    }
}
