package dev.retina.engine.kernel;

/**
 * Runs chunks on fresh threads, to exercise the split without the engine; or, made by
 * {@link #reversed}, one after the other on the calling thread, the last chunk first, to show that
 * results do not depend on the order chunks run in.
 */
final class ThreadedContext implements ComputeContext {
    private final int threads;
    private final float[][] scratch;
    private final boolean reversed;

    ThreadedContext(int threads) {
        this(threads, false);
    }

    private ThreadedContext(int threads, boolean reversed) {
        this.threads = threads;
        this.scratch = new float[threads][0];
        this.reversed = reversed;
    }

    /** A context of {@code parallelism} chunks run on the calling thread, last chunk first. */
    static ThreadedContext reversed(int parallelism) {
        return new ThreadedContext(parallelism, true);
    }

    @Override
    public int parallelism() {
        return threads;
    }

    @Override
    public void parallelFor(int n, RangeBody body) {
        int chunks = Math.min(n, threads);
        if (reversed) {
            for (int c = chunks - 1; c >= 0; c--) {
                body.run(c, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            }
            return;
        }
        Thread[] ts = new Thread[chunks];
        for (int c = 0; c < chunks; c++) {
            int chunk = c;
            ts[c] = new Thread(() -> body.run(chunk, n * chunk / chunks, n * (chunk + 1) / chunks));
            ts[c].start();
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public synchronized float[] scratch(int chunk, int minFloats) {
        if (scratch[chunk].length < minFloats) {
            scratch[chunk] = new float[minFloats];
        }
        return scratch[chunk];
    }
}
