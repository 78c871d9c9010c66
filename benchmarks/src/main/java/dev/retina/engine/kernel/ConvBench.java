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
 * One convolution layer of a typical network shape, batch 1, on one core with the vector kernels,
 * in GFLOP/s (the {@code :gflop} line). {@code path}: {@code auto} is what the engine runs (implicit
 * GEMM, shared im2col or im2col, chosen per shape), {@code im2col}, {@code shared} and {@code implicit}
 * force one scheme, so the choice can be checked.
 *
 * <p>Layer names read {@code net.inChannels-outChannels.size.kernel[sStride]}: padding keeps
 * "same" size ({@code kernel / 2}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx1g"})
public class ConvBench {

    @Param({"resnet.64-64.56.3", "resnet.128-128.28.3", "resnet.256-256.14.3", "resnet.512-512.7.3",
        "resnet.3-64.224.7s2", "resnet.64-128.56.3s2", "mobilenet.24-144.56.1", "mobilenet.960-160.7.1",
        "squeezenet.16-64.55.3"})
    public String layer;

    @Param({"auto", "im2col", "shared", "implicit"})
    public String path;

    private ConvGeometry geometry;
    private ConvWeights weights;
    private float[] in;
    private float[] out;
    private final ComputeContext ctx = ComputeContext.sequential();

    @Setup
    public void setUp() {
        geometry = parse(layer);
        if (!path.equals("auto") && !path.equals("im2col") && !path.equals("shared") && !path.equals("implicit")) {
            throw new IllegalArgumentException("path expected 'auto', 'im2col', 'shared' or 'implicit', found '" + path
                    + "'");
        }
        SplittableRandom r = new SplittableRandom(42);
        Kernels kernels = new VectorKernels();
        int k = geometry.inPerGroup() * geometry.kernelH() * geometry.kernelW();
        float[] w = random(r, geometry.outChannels() * k);
        float[] bias = random(r, geometry.outChannels());
        weights = kernels.prepareConv(w, bias, geometry.outChannels(), geometry.inPerGroup(), geometry.kernelH(),
                geometry.kernelW(), 1);
        in = random(r, geometry.inChannels() * geometry.inH() * geometry.inW());
        out = new float[geometry.outChannels() * geometry.outH() * geometry.outW()];
    }

    @Benchmark
    public float[] conv(GigaFlops flops) {
        switch (path) {
            case "im2col":
                VectorConv.runIm2col(geometry, weights, Activation.RELU, in, null, out, 1, ctx);
                break;
            case "shared":
                SharedIm2colConv.run(geometry, weights, Activation.RELU, in, null, out, 1, ctx);
                break;
            case "implicit":
                ImplicitConv.run(geometry, weights, Activation.RELU, in, out, 1, ctx);
                break;
            default:
                VectorConv.run(geometry, weights, Activation.RELU, in, out, 1, ctx);
        }
        flops.add(geometry.macs());
        return out;
    }

    /** Parses {@code net.in-out.size.kernel[sStride]} into a "same"-padded geometry. */
    static ConvGeometry parse(String name) {
        String[] parts = name.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("layer expected 'net.in-out.size.kernel[sStride]', found '" + name
                    + "'");
        }
        String[] channels = parts[1].split("-");
        int inC = Integer.parseInt(channels[0]);
        int outC = Integer.parseInt(channels[1]);
        int size = Integer.parseInt(parts[2]);
        String[] ks = parts[3].split("s");
        int kernel = Integer.parseInt(ks[0]);
        int stride = ks.length > 1 ? Integer.parseInt(ks[1]) : 1;
        int pad = kernel / 2;
        int outSize = ConvGeometry.outputSize(size, kernel, stride, pad, pad, 1);
        return new ConvGeometry(inC, size, size, outC, outSize, outSize, kernel, kernel, stride, stride, pad, pad, 1,
                1, 1);
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
