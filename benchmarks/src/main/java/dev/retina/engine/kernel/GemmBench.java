package dev.retina.engine.kernel;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The packed vector GEMM {@code C (M x N) = A (M x K) * B (K x N)} with a constant, pre-packed A, on
 * one core, in GFLOP/s (the {@code :gflop} line). Shapes {@code MxNxK}: a ResNet-18 3x3 layer as a
 * matrix product (64 x 3136 x 576), its last stage (512 x 49 x 4608), a classifier at batch 1
 * (1000 x 1 x 512) and at batch 8 (1000 x 8 x 512, computed as the engine does, weights as A).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx1g"})
public class GemmBench {

    @Param({"64x3136x576", "512x49x4608", "256x196x2304", "1000x1x512", "1000x8x512"})
    public String shape;

    private int m;
    private int n;
    private int k;
    private PackedMatrix a;
    private float[] b;
    private float[] c;
    private final GemmEpilogue epilogue = GemmEpilogue.NONE;
    private final ComputeContext ctx = ComputeContext.sequential();
    private final Kernels kernels = new VectorKernels();

    @Setup
    public void setUp() {
        String[] dims = shape.split("x");
        if (dims.length != 3) {
            throw new IllegalArgumentException("shape expected 'MxNxK', found '" + shape + "'");
        }
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        SplittableRandom r = new SplittableRandom(7);
        a = kernels.packMatrix(ConvBench.random(r, m * k), 0, m, k, k, 1);
        b = ConvBench.random(r, k * n);
        c = new float[m * n];
    }

    @Benchmark
    public float[] gemm(GigaFlops flops) {
        kernels.gemm(a, b, 0, n, 1, n, c, 0, n, 1, epilogue, ctx);
        flops.add((long) m * n * k);
        return c;
    }
}
