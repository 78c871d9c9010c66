package dev.retina.engine.oracle;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;
import dev.retina.engine.testing.SeededRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Seeded random configurations of Conv, MaxPool, AveragePool, Gemm, MatMul and broadcasting arithmetic against ONNX
 * Runtime: odd sizes and attribute combinations nobody would write by hand (1-pixel inputs, kernels as large as the
 * padded input, strides beyond the kernel, uneven groups, rank-5 broadcasts). The configuration is printed in the test
 * name, so a failure is reproducible.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RandomizedOracleTest {
    private static final int CASES_PER_OP = 30;

    private static OracleHarness oracle;

    @BeforeAll
    static void start() {
        oracle = OracleHarness.withBothKernelSets();
    }

    @AfterAll
    static void stop() {
        oracle.close();
    }

    private static int between(SplittableRandom r, int lo, int hi) {
        return r.nextInt(lo, hi + 1);
    }

    /** Spatial geometry for one axis: input size, kernel, stride, dilation, begin/end pads, all valid together. */
    private record Axis(int size, int kernel, int stride, int dilation, int padBegin, int padEnd) {
        static Axis random(SplittableRandom r, boolean allowDilation, boolean padBelowKernel) {
            while (true) {
                int kernel = between(r, 1, 5);
                int dilation = allowDilation && r.nextInt(3) == 0 ? between(r, 2, 3) : 1;
                int maxPad = padBelowKernel ? kernel - 1 : kernel;
                int padBegin = r.nextInt(3) == 0 ? 0 : between(r, 0, maxPad);
                int padEnd = r.nextInt(3) == 0 ? 0 : between(r, 0, maxPad);
                int size = between(r, 1, 19);
                int extent = (kernel - 1) * dilation + 1;
                if (size + padBegin + padEnd >= extent) {
                    return new Axis(size, kernel, between(r, 1, 3), dilation, padBegin, padEnd);
                }
            }
        }

        boolean fitsUnpadded() {
            return size >= (kernel - 1) * dilation + 1;
        }
    }

    /** Explicit pads (null) mostly; VALID only where the unpadded input still fits the kernel (else no output). */
    private static String autoPad(SplittableRandom r, Axis h, Axis w) {
        boolean dilated = h.dilation > 1 || w.dilation > 1;
        int pick = r.nextInt(10);
        if (pick == 0) {
            return h.fitsUnpadded() && w.fitsUnpadded() ? "VALID" : null;
        }
        if (!dilated && pick == 1) {
            return "SAME_UPPER";
        }
        if (!dilated && pick == 2) {
            return "SAME_LOWER";
        }
        return null;
    }

    private static List<AttributeProto> geometry(Axis h, Axis w, String autoPad, boolean withDilations) {
        List<AttributeProto> attrs = new ArrayList<>();
        attrs.add(Attr.ints("kernel_shape", h.kernel, w.kernel));
        attrs.add(Attr.ints("strides", h.stride, w.stride));
        if (withDilations) {
            attrs.add(Attr.ints("dilations", h.dilation, w.dilation));
        }
        if (autoPad == null) {
            attrs.add(Attr.ints("pads", h.padBegin, w.padBegin, h.padEnd, w.padEnd));
        } else {
            attrs.add(Attr.s("auto_pad", autoPad));
        }
        return attrs;
    }

    private static String describe(Axis h, Axis w, String autoPad) {
        return String.format("in %dx%d k %dx%d s %d,%d d %d,%d %s", h.size, w.size, h.kernel, w.kernel, h.stride,
                w.stride, h.dilation, w.dilation, autoPad == null
                        ? "pads [" + h.padBegin + "," + w.padBegin + "," + h.padEnd + "," + w.padEnd + "]"
                        : autoPad);
    }

    static Stream<OracleCase> convCases() {
        SplittableRandom r = new SplittableRandom(161);
        return IntStream.range(0, CASES_PER_OP).mapToObj(i -> {
            Axis h = Axis.random(r, true, false);
            Axis w = Axis.random(r, true, false);
            String autoPad = autoPad(r, h, w);
            int group = r.nextInt(3) == 0 ? between(r, 2, 6) : 1;
            int cPerGroup = r.nextInt(4) == 0 ? 1 : between(r, 1, 9);
            int mPerGroup = between(r, 1, 9);
            int batch = between(r, 1, 3);
            boolean bias = r.nextBoolean();
            int c = group * cPerGroup;
            int m = group * mPerGroup;
            int fanIn = cPerGroup * h.kernel * w.kernel;
            SeededRandom values = new SeededRandom(1000 + i);
            OnnxGraphBuilder g = OnnxGraphBuilder.create("conv", 13);
            g.input("x", batch, c, h.size, w.size);
            List<String> inputs = new ArrayList<>(List.of("x",
                    g.floats("w", values.he(m * fanIn, fanIn), m, cPerGroup, h.kernel, w.kernel)));
            if (bias) {
                inputs.add(g.floats("b", values.normal(m, 0, 0.3), m));
            }
            List<AttributeProto> attrs = geometry(h, w, autoPad, true);
            attrs.add(Attr.i("group", group));
            g.node("Conv", inputs, "y", attrs.toArray(AttributeProto[]::new));
            g.output("y");
            String name = String.format("Conv #%d n %d c %d m %d group %d %s%s", i, batch, c, m, group,
                    describe(h, w, autoPad), bias ? " bias" : "");
            return OracleCase.of(name, g.build(), "x", OracleHarness.normal(2000 + i, batch, c, h.size, w.size));
        });
    }

    private static Stream<OracleCase> poolCases(String op, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return IntStream.range(0, CASES_PER_OP).mapToObj(i -> {
            boolean max = op.equals("MaxPool");
            // ORT requires pads smaller than the kernel for pooling.
            Axis h = Axis.random(r, max, true);
            Axis w = Axis.random(r, max, true);
            String autoPad = autoPad(r, h, w);
            boolean ceil = r.nextInt(3) == 0;
            int batch = between(r, 1, 2);
            int c = between(r, 1, 5);
            OnnxGraphBuilder g = OnnxGraphBuilder.create("pool", 13);
            g.input("x", batch, c, h.size, w.size);
            List<AttributeProto> attrs = geometry(h, w, autoPad, max);
            attrs.add(Attr.i("ceil_mode", ceil ? 1 : 0));
            boolean includePad = !max && r.nextBoolean();
            if (!max) {
                attrs.add(Attr.i("count_include_pad", includePad ? 1 : 0));
            }
            g.node(op, List.of("x"), "y", attrs.toArray(AttributeProto[]::new));
            g.output("y");
            String name = String.format("%s #%d n %d c %d %s%s%s", op, i, batch, c, describe(h, w, autoPad),
                    ceil ? " ceil" : "", includePad ? " count_include_pad" : "");
            return OracleCase.of(name, g.build(), "x", OracleHarness.normal(3000 + i, batch, c, h.size, w.size));
        });
    }

    static Stream<OracleCase> maxPoolCases() {
        return poolCases("MaxPool", 162);
    }

    static Stream<OracleCase> averagePoolCases() {
        return poolCases("AveragePool", 163);
    }

    static Stream<OracleCase> gemmCases() {
        SplittableRandom r = new SplittableRandom(164);
        return IntStream.range(0, CASES_PER_OP).mapToObj(i -> {
            int m = between(r, 1, 40);
            int k = between(r, 1, 90);
            int n = between(r, 1, 70);
            boolean transA = r.nextBoolean();
            boolean transB = r.nextBoolean();
            float alpha = r.nextBoolean() ? 1f : (float) r.nextDouble(-2, 2);
            float beta = r.nextBoolean() ? 1f : (float) r.nextDouble(-2, 2);
            int[][] cShapes = {null, {}, {1}, {n}, {1, n}, {m, 1}, {m, n}};
            int[] cDims = cShapes[r.nextInt(cShapes.length)];
            SeededRandom values = new SeededRandom(4000 + i);
            OnnxGraphBuilder g = OnnxGraphBuilder.create("gemm", 13);
            int[] aDims = transA ? new int[] {k, m} : new int[] {m, k};
            g.input("a", aDims);
            List<String> inputs = new ArrayList<>(List.of("a", g.floats("b", values.normal(k * n, 0, 1 / Math.sqrt(k)),
                    transB ? new int[] {n, k} : new int[] {k, n})));
            if (cDims != null) {
                inputs.add(g.floats("c", values.normal(Arrays.stream(cDims).reduce(1, (p, q) -> p * q), 0, 1), cDims));
            }
            g.node("Gemm", inputs, "y", Attr.i("transA", transA ? 1 : 0), Attr.i("transB", transB ? 1 : 0),
                    Attr.f("alpha", alpha), Attr.f("beta", beta));
            g.output("y");
            String name = String.format("Gemm #%d m %d k %d n %d transA %b transB %b alpha %.3f beta %.3f C %s", i, m,
                    k, n, transA, transB, alpha, beta, cDims == null ? "none" : Arrays.toString(cDims));
            return OracleCase.of(name, g.build(), "a", OracleHarness.normal(5000 + i, aDims));
        });
    }

    static Stream<OracleCase> matMulCases() {
        SplittableRandom r = new SplittableRandom(165);
        return IntStream.range(0, CASES_PER_OP).mapToObj(i -> {
            int m = between(r, 1, 30);
            int k = between(r, 1, 60);
            int n = between(r, 1, 40);
            int[] batchA = randomBatch(r);
            int[] batchB = r.nextBoolean() ? randomBatch(r) : broadcastPartner(r, batchA);
            int[] aDims = concat(batchA, m, k);
            int[] bDims = concat(batchB, k, n);
            OnnxGraphBuilder g = OnnxGraphBuilder.create("matmul", 13);
            g.input("a", aDims);
            g.input("b", bDims);
            g.node("MatMul", List.of("a", "b"), "y");
            g.output("y");
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            inputs.put("a", OracleHarness.normal(6000 + i, aDims));
            inputs.put("b", OracleHarness.normal(7000 + i, bDims));
            String name = String.format("MatMul #%d %s x %s", i, Arrays.toString(aDims), Arrays.toString(bDims));
            return new OracleCase(name, g.build(), inputs);
        }).filter(c -> broadcastable(c));
    }

    /** Add/Sub/Mul/Div on random broadcast-compatible shapes of rank 0 to 5. */
    static Stream<OracleCase> broadcastCases() {
        SplittableRandom r = new SplittableRandom(166);
        String[] ops = {"Add", "Sub", "Mul", "Div"};
        return IntStream.range(0, CASES_PER_OP).mapToObj(i -> {
            int rank = between(r, 1, 5);
            int[] full = new int[rank];
            for (int d = 0; d < rank; d++) {
                full[d] = between(r, 1, 5);
            }
            int[] a = broadcastPartner(r, full);
            int[] b = broadcastPartner(r, full);
            String op = ops[i % ops.length];
            OnnxGraphBuilder g = OnnxGraphBuilder.create("broadcast", 13);
            g.input("a", a);
            g.input("b", b);
            g.node(op, List.of("a", "b"), "y");
            g.output("y");
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            inputs.put("a", OracleHarness.awayFromZero(8000 + i, 0.5, 2, a));
            inputs.put("b", OracleHarness.awayFromZero(9000 + i, 0.5, 2, b));
            String name = String.format("%s #%d %s with %s", op, i, Arrays.toString(a), Arrays.toString(b));
            return new OracleCase(name, g.build(), inputs);
        });
    }

    private static int[] randomBatch(SplittableRandom r) {
        int rank = r.nextInt(3);
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = r.nextInt(3) == 0 ? 1 : between(r, 1, 3);
        }
        return dims;
    }

    /** A batch shape that broadcasts with {@code other}: each dim equal to the other's or 1, maybe of lower rank. */
    private static int[] broadcastPartner(SplittableRandom r, int[] other) {
        int drop = other.length == 0 ? 0 : r.nextInt(other.length + 1);
        int[] dims = Arrays.copyOfRange(other, drop, other.length);
        for (int i = 0; i < dims.length; i++) {
            if (r.nextBoolean()) {
                dims[i] = 1;
            }
        }
        return dims;
    }

    private static boolean broadcastable(OracleCase c) {
        int[] a = c.inputs().get("a").shape().dims();
        int[] b = c.inputs().get("b").shape().dims();
        int ra = a.length - 2;
        int rb = b.length - 2;
        for (int i = 1; i <= Math.min(ra, rb); i++) {
            int da = a[ra - i];
            int db = b[rb - i];
            if (da != db && da != 1 && db != 1) {
                return false;
            }
        }
        return true;
    }

    private static int[] concat(int[] batch, int rows, int cols) {
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = rows;
        out[batch.length + 1] = cols;
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"convCases", "maxPoolCases", "averagePoolCases", "gemmCases", "matMulCases", "broadcastCases"})
    void matchesOnnxRuntime(OracleCase c) {
        oracle.check(c.name(), c.model(), c.inputs());
    }
}
