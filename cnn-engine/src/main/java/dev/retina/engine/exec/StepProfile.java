package dev.retina.engine.exec;

import dev.retina.engine.graph.CompiledPlan;
import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.Step;
import dev.retina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Wall time per step of a compiled model, summed over the runs it is passed to
 * ({@link Session#run(java.util.Map, java.util.Map, StepProfile)}): which operators an inference
 * spends its time in, and how close each comes to the multiply-adds it does. Timing costs two clock
 * reads per step and nothing else; runs without a profile are not timed at all.
 *
 * <p>A profile binds to the model and batch size of its first run and refuses runs of others. It is
 * meant for one caller at a time: concurrent runs with the same profile lose counts.
 */
public final class StepProfile {

    /** One step: its node, operator, output shape and work, and the time spent in it. */
    public record Entry(int step, String node, String opType, Shape output, long macs, long calls, long nanos) {

        /** Mean wall time of one call, in milliseconds. */
        public double millisPerCall() {
            return calls == 0 ? 0 : nanos / 1e6 / calls;
        }

        /** Multiply-adds per second over this step's calls, in billions (0 for steps without arithmetic). */
        public double gigaMacsPerSecond() {
            return nanos == 0 ? 0 : (double) macs * calls / nanos;
        }
    }

    private Model model;
    private CompiledPlan plan;
    private long[] nanos;
    private long[] calls;

    /** Binds to {@code m} at {@code p}'s batch size on first use; afterwards only those are accepted. */
    void bind(Model m, CompiledPlan p) {
        if (plan == null) {
            model = m;
            nanos = new long[p.steps().size()];
            calls = new long[p.steps().size()];
        } else if (model != m || plan.batch() != p.batch()) {
            throw new IllegalArgumentException("this profile holds the steps of " + (model != m ? "another model"
                    : "batch " + plan.batch() + ", not " + p.batch()) + "; use a new StepProfile");
        }
        plan = p;
    }

    /** Adds one run of {@code step} over {@code images} images, counted as that many calls. */
    void add(int step, long elapsedNanos, int images) {
        nanos[step] += elapsedNanos;
        calls[step] += images;
    }

    /** Every step run so far, in plan order (empty before the first run). */
    public List<Entry> entries() {
        List<Entry> list = new ArrayList<>();
        if (plan == null) {
            return list;
        }
        List<Step> steps = plan.steps();
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            Shape output = step.outputIds().length == 0 ? null : plan.shapes()[step.outputIds()[0]];
            list.add(new Entry(s, step.node().name(), step.node().opType(), output, step.op().macs(), calls[s],
                    nanos[s]));
        }
        return list;
    }

    /** The time summed over every step and run, in nanoseconds. */
    public long totalNanos() {
        long total = 0;
        if (nanos != null) {
            for (long n : nanos) {
                total += n;
            }
        }
        return total;
    }

    /** Forgets the times and counts, keeping the plan binding. */
    public void reset() {
        if (nanos != null) {
            Arrays.fill(nanos, 0);
            Arrays.fill(calls, 0);
        }
    }
}
