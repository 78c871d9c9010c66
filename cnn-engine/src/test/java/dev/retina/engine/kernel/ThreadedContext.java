package dev.retina.engine.kernel;

/** Runs chunks on fresh threads, to exercise the split without the engine. */
final class ThreadedContext implements ComputeContext {
    private final int threads;
    private final float[][] scratch;

    ThreadedContext(int threads) {
        this.threads = threads;
        this.scratch = new float[threads][0];
    }

    @Override
    public int parallelism() {
        return threads;
    }

    @Override
    public void parallelFor(int n, RangeBody body) {
        int chunks = Math.min(n, threads);
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
