package dev.retina.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.retina.engine.tensor.Shape;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One ONNX Runtime session for {@link BenchCommand}'s comparison: all graph optimisations, {@code threads}
 * intra-op threads, one inter-op thread, sequential execution, and one input tensor created once. The only class
 * of the tool that links against ONNX Runtime; {@link BenchCommand} checks that ONNX Runtime is on the class path
 * before it creates one.
 */
final class OrtBench implements AutoCloseable {

    private final OrtEnvironment env;
    private final byte[] model;
    private final int threads;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final OnnxTensor input;
    private final Map<String, OnnxTensor> feed;

    OrtBench(byte[] model, String inputName, Shape shape, float[] data, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "retina-bench");
        OrtSession.SessionOptions opts = options(threads);
        OrtSession s = null;
        OnnxTensor t = null;
        try {
            s = env.createSession(model, opts);
            long[] dims = new long[shape.rank()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.dim(i);
            }
            t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), dims);
        } catch (OrtException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            opts.close();
            throw e;
        }
        this.env = env;
        this.model = model;
        this.threads = threads;
        this.options = opts;
        this.session = s;
        this.input = t;
        this.feed = Map.of(inputName, t);
    }

    /** The benchmark's settings: all graph optimisations, sequential, {@code threads} intra-op threads. */
    private static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        try {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            return opts;
        } catch (OrtException | RuntimeException e) {
            opts.close();
            throw e;
        }
    }

    /**
     * Runs the model in a second session of the same settings with ONNX Runtime's profiler on, for
     * about {@code nanos} or {@code maxCalls} calls, whichever ends first (the trace grows by an event
     * per node per call), and returns every node's kernel time, the most expensive first. The trace
     * file lives in a temporary directory that is deleted afterwards.
     */
    List<OrtNodeTime> profile(long nanos, int maxCalls) throws OrtException, IOException {
        Path dir = Files.createTempDirectory("retina-ort-profile");
        try (OrtSession.SessionOptions opts = options(threads)) {
            opts.enableProfiling(dir.resolve("trace").toString());
            try (OrtSession profiled = env.createSession(model, opts)) {
                long start = System.nanoTime();
                int calls = 0;
                do {
                    try (OrtSession.Result r = profiled.run(feed)) {
                        if (r.size() == 0) {
                            throw new IllegalStateException("ONNX Runtime returned no outputs");
                        }
                    }
                    calls++;
                } while (calls < maxCalls && System.nanoTime() - start < nanos);
                return OrtNodeTime.fromTrace(Files.readString(Path.of(profiled.endProfiling())));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** One inference; the results are closed at once. */
    void run() {
        try (OrtSession.Result r = session.run(feed)) {
            if (r.size() == 0) {
                throw new IllegalStateException("ONNX Runtime returned no outputs");
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws OrtException {
        try {
            input.close();
            session.close();
        } finally {
            options.close();
        }
    }
}
