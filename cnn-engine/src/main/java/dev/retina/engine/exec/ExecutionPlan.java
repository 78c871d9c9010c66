package dev.retina.engine.exec;

import dev.retina.engine.graph.CompiledPlan;
import dev.retina.engine.graph.Step;

/**
 * A compiled plan with its buffer plan and a pool of reusable {@link Arena}s: each concurrent call
 * borrows one, so steady-state inference allocates only its result tensors. At most
 * {@value #MAX_IDLE_ARENAS} idle arenas are kept, so a burst of callers does not pin memory forever.
 */
final class ExecutionPlan {

    static final int MAX_IDLE_ARENAS = 16;

    final CompiledPlan plan;
    final BufferPlan buffers;
    private final WorkerPool pool;
    private final int[] inputCounts;
    private final int[] outputCounts;
    /** Floats of one batch of each graph input, in model order. */
    final long[] inputFloats;
    /** Views whose data is a graph input: bound per call, like the inputs. */
    final int[] inputViews;
    /**
     * For a batch plan whose images are independent and whose buffers outgrow the caches: the batch-1
     * plan it runs image by image instead (set once, before the plan is published); else null.
     */
    ExecutionPlan perImage;
    /**
     * With {@link #perImage}: the first step run on the whole batch (the steps before it run image by
     * image; the step count if all do). Only the steps from it on have buffers here.
     */
    final int firstStep;
    /** With {@link #perImage}: whether as many images run at once as there are threads. */
    boolean imagesAtOnce;
    /** The values steps from {@link #firstStep} on read from earlier steps, in step order. */
    final int[] carried;
    /** A stack of idle arenas, guarded by itself (a queue would allocate a node per release). */
    private final Arena[] idle = new Arena[MAX_IDLE_ARENAS];
    private int idleCount;

    ExecutionPlan(CompiledPlan plan, WorkerPool pool) {
        this(plan, pool, 0);
    }

    ExecutionPlan(CompiledPlan plan, WorkerPool pool, int firstStep) {
        this.plan = plan;
        this.firstStep = firstStep;
        this.buffers = BufferPlan.of(plan, firstStep);
        this.carried = BufferPlan.carriedInto(plan, firstStep);
        this.pool = pool;
        this.inputCounts = plan.steps().stream().mapToInt(s -> s.inputIds().length).toArray();
        this.outputCounts = plan.steps().stream().mapToInt(s -> s.outputIds().length).toArray();
        this.inputFloats = java.util.Arrays.stream(plan.inputIds()).mapToLong(id -> plan.shapes()[id].size()).toArray();
        java.util.Set<Integer> inputs = java.util.Arrays.stream(plan.inputIds()).boxed()
                .collect(java.util.stream.Collectors.toSet());
        this.inputViews = java.util.stream.IntStream.range(0, plan.valueCount())
                .filter(id -> plan.viewOf()[id] >= 0 && inputs.contains(plan.viewOf()[id])).toArray();
    }

    Arena acquire() {
        synchronized (idle) {
            if (idleCount > 0) {
                Arena a = idle[--idleCount];
                idle[idleCount] = null;
                return a;
            }
        }
        Arena a = new Arena(buffers, plan.valueCount(), inputCounts, outputCounts, pool);
        bind(a);
        return a;
    }

    void release(Arena a) {
        synchronized (idle) {
            if (idleCount < MAX_IDLE_ARENAS) {
                idle[idleCount++] = a;
            }
        }
    }

    /** Points every value id at its constant or buffer, and fills each step's argument arrays. */
    private void bind(Arena a) {
        for (int id = 0; id < plan.valueCount(); id++) {
            if (plan.constants()[id] != null) {
                a.values[id] = plan.constants()[id];
            } else if (buffers.bufferOf()[id] >= 0) {
                a.values[id] = a.buffers[buffers.bufferOf()[id]];
            }
        }
        for (int s = 0; s < plan.steps().size(); s++) {
            Step step = plan.steps().get(s);
            for (int i = 0; i < step.outputIds().length; i++) {
                a.stepOutputs[s][i] = a.values[step.outputIds()[i]];
            }
        }
    }
}
