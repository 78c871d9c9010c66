package dev.retina.engine.exec;

import dev.retina.engine.InferenceException;
import dev.retina.engine.InferenceException.Reason;
import dev.retina.engine.ModelLoadException;
import dev.retina.engine.graph.CompiledPlan;
import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.Step;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.kernel.ComputeContext;
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
    /**
     * A batch whose buffers exceed this runs image by image through the batch-1 plan when its images
     * are independent ({@link #imagesIndependent}): one image's activations then stay in the core's
     * caches from layer to layer, where a whole batch's go to memory and back at every layer. Two
     * threads, batch 8, images/s batched vs image by image: MobileNetV2 99-103 vs 131; SqueezeNet 1.1
     * 144-154 either way; ResNet-18 43.0-43.4 vs 45.4-46.4 since its deep layers looped over the images
     * anyway ({@code SharedIm2colConv} then; before that it was 37-40 vs 35-37, and batches with more
     * weights than buffers stayed together).
     */
    static final long SPLIT_BATCH_BYTES = 4L << 20;
    /**
     * A batch run image by image runs its last steps on the whole batch from the first step after
     * which no step writes a value larger than this ({@link #batchedTail}): there a layer's weights are
     * read once per column block of the whole batch instead of once per image, and the images' small
     * output planes share column panels instead of each padding its last one ({@code SharedIm2colConv}:
     * a 7 x 7 plane is 49 columns in two 32-column panels, eight of them 392 in 13). Two threads,
     * batch 8, images/s with every step image by image vs from this limit on, 2 or 4 MiB: ResNet-18
     * 48.4, 49.9 vs 52.7-52.9 or 52.7-53.1; MobileNetV2 168, 174 vs 170, 180 or 176, 179.
     */
    static final long TAIL_VALUE_BYTES = 4L << 20;

    /**
     * A batch run image by image runs as many images at once as there are threads ({@link ImageRun})
     * when no value of one image is larger than this, else one image at a time on all threads. Two
     * threads, batch 8, images/s one at a time vs at once: SqueezeNet 1.1 (largest value 3.2 MB)
     * 220-225 vs 260-265, ResNet-18 (3.2 MB) 52.7-54.1 vs 54.2-54.4; MobileNetV2 (4.8 MB) 177-178
     * in four runs vs 151-162 in five runs of nine and 172-180 in the other four.
     */
    static final long IMAGES_AT_ONCE_BYTES = 4L << 20;

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
        Map<String, Tensor> out = new LinkedHashMap<>();
        execute(inputs, out, false, null);
        return out;
    }

    /**
     * Runs the model and writes its outputs into tensors the caller supplies, so that steady-state
     * inference allocates nothing: {@code outputs} must map every model output name to a tensor of
     * exactly the output's shape for this batch ({@link #outputShape}); the tensors' arrays are
     * overwritten, and the map itself is only read.
     *
     * @throws InferenceException for unknown, missing or wrongly shaped inputs or outputs, or a closed
     *                            session
     */
    public void run(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
        execute(inputs, outputs, true, null);
    }

    /**
     * As {@link #run(Map, Map)}, timing every step into {@code profile} (which must not be shared with
     * a concurrent call).
     *
     * @throws IllegalArgumentException if {@code profile} already holds another model or batch size
     */
    public void run(Map<String, Tensor> inputs, Map<String, Tensor> outputs, StepProfile profile) {
        execute(inputs, outputs, true, profile);
    }

    /** The shape of model output {@code index} for a batch of {@code batch}. */
    public Shape outputShape(int index, int batch) {
        if (index < 0 || index >= model.outputs().size()) {
            throw new IllegalArgumentException("output index expected in [0, " + model.outputs().size()
                    + "), found " + index);
        }
        ExecutionPlan exec = plan(batch);
        return exec.plan.shapes()[exec.plan.outputIds()[index]];
    }

    private void execute(Map<String, Tensor> inputs, Map<String, Tensor> outputs, boolean into,
                         StepProfile profile) {
        if (closed) {
            throw new InferenceException(Reason.CLOSED, "the session is closed");
        }
        engine.checkOpen();
        int batch = checkInputs(inputs);
        ExecutionPlan exec = plan(batch);
        CompiledPlan plan = exec.plan;
        List<ValueInfo> declaredInputs = model.inputs();
        List<ValueInfo> declaredOutputs = model.outputs();
        if (into) {
            checkOutputs(outputs, plan, batch);
        }
        // A batch plan with a per-image plan runs its first steps image by image through that one, and
        // the rest (from exec.firstStep, if any) on the whole batch: a hybrid run.
        ExecutionPlan single = exec.perImage;
        int images = single == null ? 1 : batch;
        int split = single == null ? 0 : exec.firstStep;
        int stepCount = plan.steps().size();
        if (profile != null) {
            profile.bind(model, single == null ? plan : single.plan);
        }
        Arena arena = single == null || split < stepCount ? exec.acquire() : null;
        Arena oneArena = single == null ? null : single.acquire();
        Arena callArena = arena != null ? arena : oneArena;
        if (callArena.callOutputs == null) {
            callArena.callInputs = new float[declaredInputs.size()][];
            callArena.callOutputs = new float[declaredOutputs.size()][];
        }
        float[][] results = callArena.callOutputs;
        try {
            for (int i = 0; i < results.length; i++) {
                results[i] = into ? outputs.get(declaredOutputs.get(i).name()).data()
                        : new float[(int) plan.shapes()[plan.outputIds()[i]].size()];
            }
            float[][] data = callArena.callInputs;
            for (int i = 0; i < data.length; i++) {
                data[i] = inputs.get(declaredInputs.get(i).name()).data();
            }
            if (single != null) {
                int parallelism = callArena.parallelism();
                int together = profile == null && exec.imagesAtOnce && parallelism > 1
                        ? images / parallelism * parallelism : 0;
                if (together > 0) {
                    ImageRun run = callArena.imageRun(ImageRun::new);
                    run.set(single, exec, arena, data, results, split);
                    try {
                        engine.pool().parallelFor(together, run);
                    } finally {
                        run.clear();
                    }
                }
                for (int image = together; image < images; image++) {
                    runImage(single, exec, oneArena, arena, data, results, split, image, profile);
                }
            }
            if (arena != null) {
                runSteps(exec, arena, data, profile, split, stepCount, images);
                copyOutputs(exec, arena, results, 0);
            }
            if (!into) {
                for (int i = 0; i < results.length; i++) {
                    Shape shape = plan.shapes()[plan.outputIds()[i]];
                    outputs.put(declaredOutputs.get(i).name(), Tensor.of(shape, results[i]));
                }
            }
        } catch (InferenceException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InferenceException(Reason.INTERNAL, "inference failed: " + e, e);
        } finally {
            // Caller-owned arrays must not stay referenced by a pooled arena.
            java.util.Arrays.fill(callArena.callInputs, null);
            java.util.Arrays.fill(callArena.callOutputs, null);
            if (arena != null) {
                unbindInputs(exec, arena);
                exec.release(arena);
            }
            if (oneArena != null) {
                unbindInputs(single, oneArena);
                single.release(oneArena);
            }
        }
    }

    /**
     * Runs image {@code image} of the batch in {@code data} through the per-image plan's steps before
     * {@code split} on {@code oneArena}, then copies its outputs into {@code results} (all steps run
     * image by image: {@code arena} is null) or what the batched steps read into {@code arena}.
     */
    private static void runImage(ExecutionPlan single, ExecutionPlan exec, Arena oneArena, Arena arena,
                                 float[][] data, float[][] results, int split, int image, StepProfile profile) {
        long[] floats = single.inputFloats;
        float[][] staging = oneArena.staging(floats);
        for (int i = 0; i < staging.length; i++) {
            System.arraycopy(data[i], (int) (image * floats[i]), staging[i], 0, (int) floats[i]);
        }
        runSteps(single, oneArena, staging, profile, 0, split, 1);
        if (arena == null) {
            copyOutputs(single, oneArena, results, image);
        } else {
            carry(exec, oneArena, arena, image);
        }
    }

    /**
     * The images of a batch run image by image, as many at once as there are threads, each on one
     * thread with an arena of its own whose loops stay on that thread: every core keeps its image's
     * activations in its own caches, and the layers need no hand-over between threads. Results are
     * those of one image at a time (kernels compute alike whatever the thread count). One instance per
     * calling arena, so a call allocates nothing.
     */
    static final class ImageRun implements ComputeContext.RangeBody {
        private ExecutionPlan single;
        private ExecutionPlan exec;
        private Arena arena;
        private float[][] data;
        private float[][] results;
        private int split;

        void set(ExecutionPlan single, ExecutionPlan exec, Arena arena, float[][] data, float[][] results,
                 int split) {
            this.single = single;
            this.exec = exec;
            this.arena = arena;
            this.data = data;
            this.results = results;
            this.split = split;
        }

        void clear() {
            single = null;
            exec = null;
            arena = null;
            data = null;
            results = null;
        }

        @Override
        public void run(int chunk, int from, int to) {
            Arena own = single.acquire();
            own.sequential = true;
            try {
                for (int image = from; image < to; image++) {
                    runImage(single, exec, own, arena, data, results, split, image, null);
                }
            } finally {
                own.sequential = false;
                unbindInputs(single, own);
                single.release(own);
            }
        }
    }

    private static void unbindInputs(ExecutionPlan exec, Arena arena) {
        for (int id : exec.plan.inputIds()) {
            arena.values[id] = null;
        }
        for (int id : exec.inputViews) {
            arena.values[id] = null;
        }
    }

    /**
     * Binds the inputs' data to the plan's input values and runs steps {@code [from, to)}, each call
     * counted in the profile as {@code images} images.
     */
    private static void runSteps(ExecutionPlan exec, Arena arena, float[][] inputData, StepProfile profile,
                                 int from, int to, int images) {
        CompiledPlan plan = exec.plan;
        for (int i = 0; i < inputData.length; i++) {
            arena.values[plan.inputIds()[i]] = inputData[i];
        }
        for (int id : exec.inputViews) {
            arena.values[id] = arena.values[plan.viewOf()[id]];
        }
        List<Step> steps = plan.steps();
        for (int s = from; s < to; s++) {
            Step step = steps.get(s);
            float[][] in = arena.stepInputs[s];
            int[] inputIds = step.inputIds();
            for (int i = 0; i < in.length; i++) {
                in[i] = arena.values[inputIds[i]];
            }
            if (profile == null) {
                step.op().run(in, arena.stepOutputs[s], arena);
            } else {
                long start = System.nanoTime();
                step.op().run(in, arena.stepOutputs[s], arena);
                profile.add(s, System.nanoTime() - start, images);
            }
        }
    }

    /**
     * Copies the values a hybrid run's batched steps read from its per-image steps (the batch plan's
     * {@link ExecutionPlan#carried}) from {@code oneArena}, just run on image {@code image}, into that
     * image's slice of them in {@code arena}. Value ids are the same in both plans
     * ({@link #imagesIndependent}), and image i of a value is its i-th contiguous slice.
     */
    private static void carry(ExecutionPlan exec, Arena oneArena, Arena arena, int image) {
        for (int id : exec.carried) {
            float[] from = oneArena.values[id];
            int size = (int) (exec.plan.shapes()[id].size() / exec.plan.batch());
            System.arraycopy(from, 0, arena.values[id], image * size, size);
        }
    }

    /** Copies each output of the run just done into image {@code image} of {@code results}. */
    private static void copyOutputs(ExecutionPlan exec, Arena arena, float[][] results, int image) {
        CompiledPlan plan = exec.plan;
        for (int i = 0; i < results.length; i++) {
            int id = plan.outputIds()[i];
            int size = (int) plan.shapes()[id].size();
            System.arraycopy(arena.values[id], 0, results[i], image * size, size);
        }
    }

    private void checkOutputs(Map<String, Tensor> outputs, CompiledPlan plan, int batch) {
        List<ValueInfo> declared = model.outputs();
        if (outputs.size() != declared.size()) {
            throw new InferenceException(Reason.SHAPE_MISMATCH, "expected one output tensor for each of the model's "
                    + declared.size() + " outputs " + declared + ", found " + outputs.size() + ": " + outputs.keySet());
        }
        for (int i = 0; i < declared.size(); i++) {
            String name = declared.get(i).name();
            Tensor t = outputs.get(name);
            Shape expected = plan.shapes()[plan.outputIds()[i]];
            if (t == null) {
                throw new InferenceException(Reason.SHAPE_MISMATCH, "no tensor supplied for output '" + name
                        + "' " + expected + "; supplied: " + outputs.keySet());
            }
            if (!t.shape().equals(expected)) {
                throw new InferenceException(Reason.SHAPE_MISMATCH, "output '" + name + "' at batch " + batch
                        + " expected shape " + expected + ", found " + t.shape());
            }
        }
    }

    private int checkInputs(Map<String, Tensor> inputs) {
        List<ValueInfo> declared = model.inputs();
        // Every declared input present and no more entries means no unknown ones: no per-call iterator.
        int known = 0;
        for (int i = 0; i < declared.size(); i++) {
            if (inputs.containsKey(declared.get(i).name())) {
                known++;
            }
        }
        if (known != inputs.size()) {
            for (String name : inputs.keySet()) {
                if (declared.stream().noneMatch(i -> i.name().equals(name))) {
                    throw new InferenceException(Reason.UNKNOWN_INPUT, "unknown input '" + name
                            + "'; the model's inputs are " + declared);
                }
            }
        }
        int batch = -1;
        for (int i = 0; i < declared.size(); i++) {
            ValueInfo info = declared.get(i);
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
            CompiledPlan compiled = model.plan(batch);
            long bufferFloats = BufferPlan.of(compiled).totalFloats();
            if (batch > 1 && bufferFloats * Float.BYTES > SPLIT_BATCH_BYTES
                    && imagesIndependent(compiled, singleImagePlan())) {
                ExecutionPlan single = plan(1);
                created = new ExecutionPlan(compiled, engine.pool(), batchedTail(compiled));
                created.perImage = single;
                created.imagesAtOnce = largestValueBytes(single.plan) <= IMAGES_AT_ONCE_BYTES;
            } else {
                created = new ExecutionPlan(compiled, engine.pool());
            }
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

    /**
     * The first step of a batch plan run image by image that runs on the whole batch instead: the first
     * from which no step writes a value larger than {@link #TAIL_VALUE_BYTES} and none reads a larger
     * one from the steps before it (that value would be copied into the batch's buffers image by image
     * and then read from memory); the step count if there is none.
     */
    static int batchedTail(CompiledPlan plan) {
        List<Step> steps = plan.steps();
        int first = steps.size();
        while (first > 0 && writesAtMost(plan, steps.get(first - 1), TAIL_VALUE_BYTES)) {
            first--;
        }
        while (first < steps.size() && !carriesAtMost(plan, first, TAIL_VALUE_BYTES)) {
            first++;
        }
        return first;
    }

    private static boolean carriesAtMost(CompiledPlan plan, int first, long bytes) {
        for (int id : BufferPlan.carriedInto(plan, first)) {
            if (plan.shapes()[id].size() * Float.BYTES > bytes) {
                return false;
            }
        }
        return true;
    }

    /** Bytes of the largest value a step of {@code plan} writes. */
    private static long largestValueBytes(CompiledPlan plan) {
        long largest = 0;
        for (Step step : plan.steps()) {
            for (int id : step.outputIds()) {
                largest = Math.max(largest, plan.shapes()[id].size() * Float.BYTES);
            }
        }
        return largest;
    }

    private static boolean writesAtMost(CompiledPlan plan, Step step, long bytes) {
        for (int id : step.outputIds()) {
            if (plan.shapes()[id].size() * Float.BYTES > bytes) {
                return false;
            }
        }
        return true;
    }

    /** True if a batch of {@code batch} runs image by image (see {@link #SPLIT_BATCH_BYTES}), at least in part. */
    boolean runsImageByImage(int batch) {
        return plan(batch).perImage != null;
    }

    /** True if a batch of {@code batch} runs image by image, as many images at once as there are threads. */
    boolean runsImagesAtOnce(int batch) {
        ExecutionPlan p = plan(batch);
        return p.perImage != null && p.imagesAtOnce;
    }

    /**
     * The first step a batch of {@code batch} runs on the whole batch: 0 unless it runs image by image,
     * the step count if it runs all steps image by image.
     */
    int firstBatchedStep(int batch) {
        ExecutionPlan p = plan(batch);
        return p.perImage == null ? 0 : p.firstStep;
    }

    /** The batch-1 plan, or null if the model cannot run one image. */
    private CompiledPlan singleImagePlan() {
        try {
            return model.plan(1);
        } catch (ModelLoadException e) {
            return null;
        }
    }

    /**
     * True if {@code batched} computes each image exactly as {@code single} does: the same steps on the
     * same values; every value data flows through at run time (folded shape arithmetic is not data)
     * {@code batch} times the batch-1 one along its leading dimension and the same elsewhere, so image
     * i is the i-th contiguous slice of every value; and every step keeps images apart
     * ({@link dev.retina.engine.op.Op#keepsImagesApart()}).
     */
    static boolean imagesIndependent(CompiledPlan batched, CompiledPlan single) {
        if (single == null || batched.steps().size() != single.steps().size()
                || batched.valueCount() != single.valueCount()) {
            return false;
        }
        for (int s = 0; s < batched.steps().size(); s++) {
            Step b = batched.steps().get(s);
            Step one = single.steps().get(s);
            if (b.op().getClass() != one.op().getClass() || !b.op().keepsImagesApart()
                    || !java.util.Arrays.equals(b.inputIds(), one.inputIds())
                    || !java.util.Arrays.equals(b.outputIds(), one.outputIds())) {
                return false;
            }
        }
        // The values data flows through at run time: steps' arguments, graph inputs and outputs, views.
        boolean[] runtime = new boolean[batched.valueCount()];
        for (Step step : batched.steps()) {
            for (int id : step.inputIds()) {
                runtime[id] = true;
            }
            for (int id : step.outputIds()) {
                runtime[id] = true;
            }
        }
        for (int id : batched.inputIds()) {
            runtime[id] = true;
        }
        for (int id : batched.outputIds()) {
            runtime[id] = true;
        }
        for (int id = 0; id < batched.valueCount(); id++) {
            if (batched.viewOf()[id] >= 0) {
                runtime[id] = true;
            }
        }
        for (int id = 0; id < batched.valueCount(); id++) {
            Shape b = batched.shapes()[id];
            Shape one = single.shapes()[id];
            if (!runtime[id] || batched.constants()[id] != null) {
                continue;
            }
            if (one == null || b.rank() != one.rank() || b.rank() == 0
                    || (long) b.dim(0) != (long) batched.batch() * one.dim(0)) {
                return false;
            }
            for (int d = 1; d < b.rank(); d++) {
                if (b.dim(d) != one.dim(d)) {
                    return false;
                }
            }
        }
        return true;
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
