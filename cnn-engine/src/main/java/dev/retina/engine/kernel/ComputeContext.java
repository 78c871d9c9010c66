package dev.retina.engine.kernel;

/**
 * What a kernel may use while it runs: the worker pool, split into at most {@link #parallelism()}
 * contiguous chunks, and per-chunk scratch memory kept between calls so steady-state inference
 * does not allocate.
 *
 * <p>Kernels must compute every output element with the same sequence of floating-point
 * operations whatever the chunking, so results do not depend on the thread count.
 */
public interface ComputeContext {

    /** Upper bound on the number of chunks {@link #parallelFor} uses. */
    int parallelism();

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #parallelism()} contiguous
     * chunks, and returns when all chunks are done. Chunk indices are {@code 0..chunks-1}.
     */
    void parallelFor(int n, RangeBody body);

    /**
     * A scratch array of at least {@code minFloats} elements owned by chunk {@code chunk} of the
     * current {@link #parallelFor} (or chunk 0 outside one). Contents are undefined.
     */
    float[] scratch(int chunk, int minFloats);

    /** One chunk of a parallel loop. */
    @FunctionalInterface
    interface RangeBody {
        /** Processes items {@code [from, to)} as chunk number {@code chunk}. */
        void run(int chunk, int from, int to);
    }

    /** A context that runs everything on the calling thread. */
    static ComputeContext sequential() {
        return new SequentialContext();
    }
}
