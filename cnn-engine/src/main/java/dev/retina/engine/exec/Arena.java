package dev.retina.engine.exec;

import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.kernel.ReusableBodies;
import java.util.function.Supplier;

/**
 * The memory of one in-flight inference: one array per {@link BufferPlan} buffer, per-chunk scratch,
 * and the {@code float[][]} argument arrays of every step, all allocated once and reused by later
 * calls. Used by one thread (plus the workers it fans out to) at a time.
 */
final class Arena implements ComputeContext {

    final float[][] buffers;
    final float[][] values;
    final float[][][] stepInputs;
    final float[][][] stepOutputs;
    private final WorkerPool pool;
    private final float[][] scratch;
    private final ReusableBodies bodies = new ReusableBodies();
    /** One image of each input, for a batch run image by image through this (batch-1) plan's arena. */
    private float[][] staging;
    /**
     * Set while this arena runs one image of a batch on one worker, beside other images on the other
     * workers: its loops then run on the calling thread as one chunk.
     */
    boolean sequential;
    private Session.ImageRun imageRun;
    /** Per call: the data of each graph input, and the array each output is copied into. */
    float[][] callInputs;
    float[][] callOutputs;

    Arena(BufferPlan plan, int valueCount, int[] inputCounts, int[] outputCounts, WorkerPool pool) {
        this.buffers = new float[plan.sizes().length][];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = new float[Math.toIntExact(plan.sizes()[i])];
        }
        this.values = new float[valueCount][];
        this.stepInputs = new float[inputCounts.length][][];
        this.stepOutputs = new float[outputCounts.length][][];
        for (int s = 0; s < inputCounts.length; s++) {
            stepInputs[s] = new float[inputCounts[s]][];
            stepOutputs[s] = new float[outputCounts[s]][];
        }
        this.pool = pool;
        this.scratch = new float[pool.parallelism()][];
    }

    /** Arrays of at least {@code floats[i]} floats, one per input, allocated on first use. */
    float[][] staging(long[] floats) {
        if (staging == null) {
            staging = new float[floats.length][];
            for (int i = 0; i < floats.length; i++) {
                staging[i] = new float[Math.toIntExact(floats[i])];
            }
        }
        return staging;
    }

    /** This arena's {@link Session.ImageRun}, made on first use. */
    Session.ImageRun imageRun(Supplier<Session.ImageRun> factory) {
        if (imageRun == null) {
            imageRun = factory.get();
        }
        return imageRun;
    }

    @Override
    public int parallelism() {
        return sequential ? 1 : pool.parallelism();
    }

    @Override
    public void parallelFor(int n, RangeBody body) {
        if (!sequential) {
            pool.parallelFor(n, body);
        } else if (n > 0) {
            body.run(0, 0, n);
        }
    }

    @Override
    public <T extends RangeBody> T body(Class<T> type, Supplier<T> factory) {
        return bodies.get(type, factory);
    }

    @Override
    public float[] scratch(int chunk, int minFloats) {
        float[] s = scratch[chunk];
        if (s == null || s.length < minFloats) {
            s = new float[minFloats];
            scratch[chunk] = s;
        }
        return s;
    }
}
