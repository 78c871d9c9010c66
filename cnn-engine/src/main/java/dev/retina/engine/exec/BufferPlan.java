package dev.retina.engine.exec;

import dev.retina.engine.graph.CompiledPlan;
import dev.retina.engine.graph.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Assigns every intermediate value of a plan to a reusable buffer by liveness: a value lives from
 * the step that writes it to the last step that reads it (graph outputs to the end). When a value
 * dies its buffer returns to a free list; a new value takes the smallest free buffer that is large
 * enough, else the largest free one (grown), else a new one. A step's outputs never share a buffer
 * with its own inputs, because inputs are released only after the step's outputs are assigned. A view
 * (see {@code Op.isView}) gets the buffer of the value it shares, which lives as long as any view.
 *
 * @param bufferOf  buffer index per value id, -1 for inputs and constants
 * @param sizes     element count of each buffer
 */
public record BufferPlan(int[] bufferOf, long[] sizes) {

    public static BufferPlan of(CompiledPlan plan) {
        return of(plan, 0);
    }

    /**
     * The buffers for running only the steps from {@code firstStep} on, the values they read from
     * earlier steps ({@link #carriedInto}) supplied before the first of them: those values get their
     * buffers first, and values that only earlier steps use get none (-1).
     */
    public static BufferPlan of(CompiledPlan plan, int firstStep) {
        int values = plan.valueCount();
        int[] lastUse = lastUses(plan, firstStep);
        List<Step> steps = plan.steps();
        int[] bufferOf = new int[values];
        Arrays.fill(bufferOf, -1);
        List<Long> sizes = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (int id : carriedInto(plan, firstStep)) {
            bufferOf[id] = take(free, sizes, Math.max(1, plan.shapes()[id].size()));
        }
        for (int s = firstStep; s < steps.size(); s++) {
            Step step = steps.get(s);
            for (int id : step.outputIds()) {
                long need = Math.max(1, plan.shapes()[id].size());
                bufferOf[id] = take(free, sizes, need);
            }
            // An output nobody reads dies at once (but only after this step ran).
            for (int id : step.outputIds()) {
                if (lastUse[id] == -1) {
                    free.add(bufferOf[id]);
                }
            }
            for (int input : step.inputIds()) {
                int id = plan.dataId(input);
                if (lastUse[id] == s && bufferOf[id] >= 0 && !free.contains(bufferOf[id])) {
                    free.add(bufferOf[id]);
                }
            }
        }
        for (int id = 0; id < values; id++) {
            if (plan.viewOf()[id] >= 0) {
                bufferOf[id] = bufferOf[plan.viewOf()[id]];
            }
        }
        long[] sizeArray = sizes.stream().mapToLong(Long::longValue).toArray();
        return new BufferPlan(bufferOf, sizeArray);
    }

    /**
     * The values that steps before {@code firstStep} write (not views) and the steps from it on, or the
     * graph's outputs, read: what a run of only the later steps needs supplied, in step order.
     */
    public static int[] carriedInto(CompiledPlan plan, int firstStep) {
        int[] lastUse = lastUses(plan, firstStep);
        List<Integer> carried = new ArrayList<>();
        for (int s = 0; s < firstStep; s++) {
            for (int id : plan.steps().get(s).outputIds()) {
                if (plan.viewOf()[id] < 0 && lastUse[id] != -1) {
                    carried.add(id);
                }
            }
        }
        return carried.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Per value, the last step from {@code firstStep} on that reads it (a view's reads charged to the
     * value it shares), {@link Integer#MAX_VALUE} for graph outputs, -1 if none.
     */
    private static int[] lastUses(CompiledPlan plan, int firstStep) {
        int[] lastUse = new int[plan.valueCount()];
        Arrays.fill(lastUse, -1);
        List<Step> steps = plan.steps();
        for (int s = firstStep; s < steps.size(); s++) {
            for (int id : steps.get(s).inputIds()) {
                lastUse[plan.dataId(id)] = s;
            }
        }
        for (int id : plan.outputIds()) {
            lastUse[plan.dataId(id)] = Integer.MAX_VALUE;
        }
        return lastUse;
    }

    private static int take(List<Integer> free, List<Long> sizes, long need) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            long size = sizes.get(free.get(i));
            if (size >= need && (best < 0 || size < sizes.get(free.get(best)))) {
                best = i;
            }
        }
        if (best < 0) {
            for (int i = 0; i < free.size(); i++) {
                if (best < 0 || sizes.get(free.get(i)) > sizes.get(free.get(best))) {
                    best = i;
                }
            }
        }
        if (best >= 0) {
            int buffer = free.remove(best);
            sizes.set(buffer, Math.max(sizes.get(buffer), need));
            return buffer;
        }
        sizes.add(need);
        return sizes.size() - 1;
    }

    /** Total floats held by one arena of this plan. */
    public long totalFloats() {
        long total = 0;
        for (long s : sizes) {
            total += s;
        }
        return total;
    }
}
