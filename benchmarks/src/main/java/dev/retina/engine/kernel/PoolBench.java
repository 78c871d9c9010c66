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
 * One max pooling layer, batch 1, on one core with the vector kernels, in microseconds per call.
 * Layer names read {@code channels.size.kernel s stride [p pad]}: SqueezeNet 1.1's three 3 x 3 / 2
 * pools (no padding) and ResNet-18's (padding 1).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx1g"})
public class PoolBench {

    @Param({"64.111.3s2", "128.55.3s2", "256.27.3s2", "64.112.3s2p1"})
    public String layer;

    private PoolGeometry geometry;
    private int planes;
    private float[] in;
    private float[] out;
    private final ComputeContext ctx = ComputeContext.sequential();
    private final Kernels kernels = new VectorKernels();

    @Setup
    public void setUp() {
        String[] parts = layer.split("\\.");
        if (parts.length != 3 || !parts[2].contains("s")) {
            throw new IllegalArgumentException("layer expected 'channels.size.kernel s stride [p pad]', found '"
                    + layer + "'");
        }
        planes = Integer.parseInt(parts[0]);
        int size = Integer.parseInt(parts[1]);
        String[] kp = parts[2].split("p");
        int pad = kp.length > 1 ? Integer.parseInt(kp[1]) : 0;
        String[] ks = kp[0].split("s");
        int k = Integer.parseInt(ks[0]);
        int stride = Integer.parseInt(ks[1]);
        int outSize = PoolGeometry.outputSize(size, k, stride, pad, pad, 1, false);
        geometry = new PoolGeometry(size, size, outSize, outSize, k, k, stride, stride, pad, pad, pad, pad, 1, 1);
        in = ConvBench.random(new SplittableRandom(42), planes * size * size);
        out = new float[planes * outSize * outSize];
    }

    @Benchmark
    public float[] maxPool() {
        kernels.maxPool2d(geometry, in, out, planes, ctx);
        return out;
    }
}
