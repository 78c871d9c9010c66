package dev.retina.engine.kernel;

import java.util.function.Supplier;

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

    /**
     * This context's own instance of the loop-body class {@code type}, made by {@code factory} on first
     * use and returned again on every later call, so a kernel can run a parallel loop without
     * allocating a capturing lambda per call: it sets the instance's fields, passes it to
     * {@link #parallelFor} and clears them afterwards. There is one instance per context and class,
     * so a body must not start a loop with its own class from inside {@code run}. The default makes a
     * new instance each time (for contexts that do not care about allocation).
     */
    default <T extends RangeBody> T body(Class<T> type, Supplier<T> factory) {
        return factory.get();
    }

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
