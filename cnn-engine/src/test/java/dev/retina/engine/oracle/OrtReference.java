package dev.retina.engine.oracle;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model in ONNX Runtime, the numerical oracle. Single-threaded so that the oracle itself is deterministic and
 * leaves the second core to the engine under test.
 */
final class OrtReference {
    private OrtReference() {
    }

    private static OrtEnvironment environment() {
        // The environment is a process-wide singleton in ORT; it must not be closed while others may use it.
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "retina-oracle");
    }

    /** Runs {@code model} on {@code inputs} and returns every graph output by name, in graph order. */
    static Map<String, HostTensor> run(byte[] model, Map<String, HostTensor> inputs) throws OrtException {
        return run(model, inputs, OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
    }

    /**
     * Runs {@code model} expecting ONNX Runtime to fail (some invalid models load and fail only when run); returns
     * ORT's error, or null if it ran.
     */
    static String runError(byte[] model, Map<String, HostTensor> inputs) {
        try {
            run(model, inputs, OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            return null;
        } catch (OrtException e) {
            return e.getMessage();
        }
    }

    private static Map<String, HostTensor> run(byte[] model, Map<String, HostTensor> inputs, OrtLoggingLevel logLevel)
            throws OrtException {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setSessionLogLevel(logLevel);
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options)) {
                List<OnnxTensor> created = new ArrayList<>();
                try {
                    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                    for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().data()),
                                e.getValue().longShape());
                        created.add(t);
                        feed.put(e.getKey(), t);
                    }
                    try (OrtSession.Result result = session.run(feed)) {
                        Map<String, HostTensor> out = new LinkedHashMap<>();
                        for (Map.Entry<String, OnnxValue> e : result) {
                            out.put(e.getKey(), toHost(e.getKey(), e.getValue()));
                        }
                        return out;
                    }
                } finally {
                    created.forEach(OnnxTensor::close);
                }
            }
        }
    }

    /** Loads {@code model} into ONNX Runtime only, to learn whether ORT accepts it; returns ORT's error or null. */
    static String loadError(byte[] model) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // The rejection is the expected outcome here; keep ORT from also printing it to stderr.
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            try (OrtSession ignored = environment().createSession(model, options)) {
                return null;
            }
        } catch (OrtException e) {
            return e.getMessage();
        }
    }

    private static HostTensor toHost(String name, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("output '" + name + "': expected a tensor, found " + value.getType());
        }
        TensorInfo info = tensor.getInfo();
        if (info.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
            throw new IllegalStateException("output '" + name + "': expected float32, found " + info.type);
        }
        long[] dims = info.getShape();
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = Math.toIntExact(dims[i]);
        }
        FloatBuffer buf = tensor.getFloatBuffer();
        float[] data = new float[buf.remaining()];
        buf.get(data);
        return new HostTensor(shape, data);
    }
}
