package dev.retina.engine.exec;

import dev.retina.engine.InferenceException;
import dev.retina.engine.kernel.ComputeContext.RangeBody;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's bounded pool of daemon worker threads ({@code retina-engine-N}), shared by every
 * session and caller. A parallel loop is cut into at most {@link #parallelism()} contiguous chunks;
 * the caller runs the first chunk itself and waits for the rest, so a single-threaded engine runs
 * everything on the calling thread.
 */
final class WorkerPool implements AutoCloseable {

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final int threads;
    private final ForkJoinPool pool;

    WorkerPool(int threads) {
        this.threads = threads;
        int poolId = POOL_IDS.incrementAndGet();
        AtomicInteger workerIds = new AtomicInteger();
        this.pool = threads == 1 ? null : new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("retina-engine-" + poolId + "-" + workerIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    int parallelism() {
        return threads;
    }

    void parallelFor(int n, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(n, threads);
        if (chunks == 1) {
            body.run(0, 0, n);
            return;
        }
        if (pool.isShutdown()) {
            throw new InferenceException(InferenceException.Reason.CLOSED, "the engine is closed");
        }
        ForkJoinTask<?>[] forked = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int chunk = c;
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            try {
                forked[c - 1] = pool.submit(() -> body.run(chunk, from, to));
            } catch (RejectedExecutionException e) {
                throw new InferenceException(InferenceException.Reason.CLOSED, "the engine is closed", e);
            }
        }
        Throwable failure = null;
        try {
            body.run(0, 0, (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (ForkJoinTask<?> task : forked) {
            try {
                task.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    boolean isClosed() {
        return pool != null && pool.isShutdown();
    }
}
