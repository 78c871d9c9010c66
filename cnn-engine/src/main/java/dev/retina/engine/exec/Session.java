package dev.retina.engine.exec;

import dev.retina.engine.InferenceException;
import dev.retina.engine.InferenceException.Reason;
import dev.retina.engine.ModelLoadException;
import dev.retina.engine.graph.CompiledPlan;
import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.Step;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@link Model} on an {@link Engine}. Thread-safe: concurrent callers each borrow their own
 * arena of buffers. The batch is the leading dimension of the inputs; a model with a dynamic batch
 * accepts any batch size (plans are compiled per size on first use), a fixed one only its own.
 */
public final class Session implements AutoCloseable {

    private static final int MAX_CACHED_PLANS = 8;

    private final Engine engine;
    private final Model model;
    private final Map<Integer, ExecutionPlan> plans = new LinkedHashMap<>(16, 0.75f, true);
    private volatile boolean closed;

    Session(Engine engine, Model model) {
        this.engine = engine;
        this.model = model;
    }

    public Model model() {
        return model;
    }

    /** Runs the model on a single input and returns its first output. */
    public Tensor run(Tensor input) {
        List<ValueInfo> inputs = model.inputs();
        if (inputs.size() != 1) {
            throw new InferenceException(Reason.MISSING_INPUT, "run(Tensor) needs a model with exactly 1 input, "
                    + "this one has " + inputs.size() + ": " + inputs);
        }
        return run(Map.of(inputs.get(0).name(), input)).get(model.outputs().get(0).name());
    }

    /**
     * Runs the model.
     *
     * @param inputs every model input by name
     * @return every model output by name, in model order; fresh tensors owned by the caller
     * @throws InferenceException for unknown, missing or wrongly shaped inputs, or a closed session
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        if (closed) {
            throw new InferenceException(Reason.CLOSED, "the session is closed");
        }
        engine.checkOpen();
        int batch = checkInputs(inputs);
        ExecutionPlan exec = plan(batch);
        CompiledPlan plan = exec.plan;
        Arena arena = exec.acquire();
        try {
            List<ValueInfo> declared = model.inputs();
            for (int i = 0; i < declared.size(); i++) {
                arena.values[plan.inputIds()[i]] = inputs.get(declared.get(i).name()).data();
            }
            for (int id : exec.inputViews) {
                arena.values[id] = arena.values[plan.viewOf()[id]];
            }
            List<Step> steps = plan.steps();
            for (int s = 0; s < steps.size(); s++) {
                Step step = steps.get(s);
                float[][] in = arena.stepInputs[s];
                for (int i = 0; i < in.length; i++) {
                    in[i] = arena.values[step.inputIds()[i]];
                }
                step.op().run(in, arena.stepOutputs[s], arena);
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (int i = 0; i < plan.outputIds().length; i++) {
                int id = plan.outputIds()[i];
                Shape shape = plan.shapes()[id];
                float[] data = new float[(int) shape.size()];
                System.arraycopy(arena.values[id], 0, data, 0, data.length);
                out.put(model.outputs().get(i).name(), Tensor.of(shape, data));
            }
            return out;
        } catch (InferenceException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InferenceException(Reason.INTERNAL, "inference failed: " + e, e);
        } finally {
            // Caller-owned input arrays must not stay referenced by a pooled arena.
            for (int id : plan.inputIds()) {
                arena.values[id] = null;
            }
            for (int id : exec.inputViews) {
                arena.values[id] = null;
            }
            exec.release(arena);
        }
    }

    private int checkInputs(Map<String, Tensor> inputs) {
        for (String name : inputs.keySet()) {
            if (model.inputs().stream().noneMatch(i -> i.name().equals(name))) {
                throw new InferenceException(Reason.UNKNOWN_INPUT, "unknown input '" + name + "'; the model's inputs are "
                        + model.inputs());
            }
        }
        int batch = -1;
        for (ValueInfo info : model.inputs()) {
            Tensor t = inputs.get(info.name());
            if (t == null) {
                throw new InferenceException(Reason.MISSING_INPUT, "input '" + info.name() + "' " + info.shape()
                        + " was not supplied");
            }
            Shape expected = info.shape();
            Shape found = t.shape();
            boolean ok = expected.rank() == found.rank();
            for (int d = 0; ok && d < expected.rank(); d++) {
                ok = expected.dim(d) == Shape.UNKNOWN ? found.dim(d) >= 1 : expected.dim(d) == found.dim(d);
            }
            int b = found.rank() == 0 ? 1 : found.dim(0);
            if (ok && batch >= 0 && expected.rank() > 0 && expected.dim(0) == Shape.UNKNOWN && b != batch) {
                ok = false;
            }
            if (!ok) {
                throw new InferenceException(Reason.SHAPE_MISMATCH, "input '" + info.name() + "' expected shape "
                        + expected + " (-1 = any batch), found " + found);
            }
            if (expected.rank() > 0 && expected.dim(0) == Shape.UNKNOWN) {
                batch = b;
            }
        }
        return batch < 0 ? 1 : batch;
    }

    private ExecutionPlan plan(int batch) {
        synchronized (plans) {
            ExecutionPlan p = plans.get(batch);
            if (p != null) {
                return p;
            }
        }
        ExecutionPlan created;
        try {
            created = new ExecutionPlan(model.plan(batch), engine.pool());
        } catch (ModelLoadException e) {
            throw new InferenceException(Reason.SHAPE_MISMATCH, "the model cannot run with batch " + batch + ": "
                    + e.getMessage(), e);
        }
        synchronized (plans) {
            ExecutionPlan existing = plans.putIfAbsent(batch, created);
            while (plans.size() > MAX_CACHED_PLANS) {
                plans.remove(plans.keySet().iterator().next());
            }
            return existing == null ? created : existing;
        }
    }

    /** Releases the cached plans and buffers; later calls fail with {@link Reason#CLOSED}. */
    @Override
    public void close() {
        closed = true;
        synchronized (plans) {
            plans.clear();
        }
    }
}
