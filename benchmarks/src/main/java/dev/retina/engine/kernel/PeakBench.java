package dev.retina.engine.kernel;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FP32 ceiling of one core as the Vector API reaches it: sixteen independent fused multiply-add
 * chains on the engine's vector species, no memory traffic. Its {@code :gflop} line is the "peak"
 * that docs/PERFORMANCE.md measures the kernels and networks against.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx256m"})
public class PeakBench {

    /** Fused multiply-adds per chain and call. */
    private static final int STEPS = 1 << 16;
    private static final int CHAINS = 16;

    private final float[] seed = new float[2 * VectorGemm.L];

    @Setup
    public void setUp() {
        for (int i = 0; i < seed.length; i++) {
            seed[i] = 0.5f + i * 1e-6f;
        }
    }

    @Benchmark
    public float fma(GigaFlops flops) {
        FloatVector a = FloatVector.fromArray(VectorGemm.SPECIES, seed, 0);
        FloatVector b = FloatVector.fromArray(VectorGemm.SPECIES, seed, VectorGemm.L);
        FloatVector c0 = a;
        FloatVector c1 = b;
        FloatVector c2 = a;
        FloatVector c3 = b;
        FloatVector c4 = a;
        FloatVector c5 = b;
        FloatVector c6 = a;
        FloatVector c7 = b;
        FloatVector c8 = a;
        FloatVector c9 = b;
        FloatVector c10 = a;
        FloatVector c11 = b;
        FloatVector c12 = a;
        FloatVector c13 = b;
        FloatVector c14 = a;
        FloatVector c15 = b;
        for (int i = 0; i < STEPS; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
            c12 = a.fma(b, c12);
            c13 = a.fma(b, c13);
            c14 = a.fma(b, c14);
            c15 = a.fma(b, c15);
        }
        flops.add((long) STEPS * CHAINS * VectorGemm.L);
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .add(c12).add(c13).add(c14).add(c15).reduceLanes(VectorOperators.ADD);
    }
}
