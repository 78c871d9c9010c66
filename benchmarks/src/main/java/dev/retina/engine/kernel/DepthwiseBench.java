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
 * One depthwise 3 x 3 convolution of MobileNetV2, batch 1, on one core with the vector kernels, in
 * microseconds per call; Clip(0, 6) fused as in the network. Layer names read
 * {@code channels.size[sStride]} (input size, "same" padding).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx1g"})
public class DepthwiseBench {

    @Param({"32.112", "96.112s2", "144.56", "144.56s2", "192.28", "192.28s2", "384.14", "576.14", "576.14s2",
        "960.7"})
    public String layer;

    private ConvGeometry geometry;
    private ConvWeights weights;
    private float[] in;
    private float[] out;
    private final ComputeContext ctx = ComputeContext.sequential();
    private final Activation relu6 = Activation.clip(0f, 6f);

    @Setup
    public void setUp() {
        String[] parts = layer.split("\\.");
        if (parts.length != 2) {
            throw new IllegalArgumentException("layer expected 'channels.size[sStride]', found '" + layer + "'");
        }
        int channels = Integer.parseInt(parts[0]);
        String[] ss = parts[1].split("s");
        int size = Integer.parseInt(ss[0]);
        int stride = ss.length > 1 ? Integer.parseInt(ss[1]) : 1;
        int outSize = ConvGeometry.outputSize(size, 3, stride, 1, 1, 1);
        geometry = new ConvGeometry(channels, size, size, channels, outSize, outSize, 3, 3, stride, stride, 1, 1, 1,
                1, channels);
        SplittableRandom r = new SplittableRandom(42);
        weights = new VectorKernels().prepareConv(ConvBench.random(r, channels * 9), ConvBench.random(r, channels),
                channels, 1, 3, 3, channels);
        in = ConvBench.random(r, channels * size * size);
        out = new float[channels * outSize * outSize];
    }

    @Benchmark
    public float[] depthwise() {
        VectorDepthwise.run(geometry, weights, relu6, in, out, 1, ctx);
        return out;
    }
}
