package dev.retina.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.retina.engine.tensor.Shape;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * One ONNX Runtime session for {@link BenchCommand}'s comparison: all graph optimisations, {@code threads}
 * intra-op threads, one inter-op thread, sequential execution, and one input tensor created once. The only class
 * of the tool that links against ONNX Runtime; {@link BenchCommand} checks that ONNX Runtime is on the class path
 * before it creates one.
 */
final class OrtBench implements AutoCloseable {

    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final OnnxTensor input;
    private final Map<String, OnnxTensor> feed;

    OrtBench(byte[] model, String inputName, Shape shape, float[] data, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "retina-bench");
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        OrtSession s = null;
        OnnxTensor t = null;
        try {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
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
        this.options = opts;
        this.session = s;
        this.input = t;
        this.feed = Map.of(inputName, t);
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
