package dev.retina.engine.exec;

import dev.retina.engine.InferenceException;
import dev.retina.engine.kernel.ComputeContext.RangeBody;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's bounded pool of persistent daemon worker threads ({@code retina-engine-P-N}), shared by
 * every session and caller.
 *
 * <p>A parallel loop over {@code [0, n)} is cut into {@code chunks = min(n, parallelism())} contiguous
 * chunks; chunk {@code c} covers {@code [n * c / chunks, n * (c + 1) / chunks)}. The caller runs chunk
 * 0 itself and worker {@code c} runs chunk {@code c}, so a loop costs no task objects, queues or
 * futures: the caller publishes the loop in a few fields, hands each needed worker the loop's
 * generation number and wakes it; each worker decrements a pending count when done and the last one
 * wakes the caller.
 * Waiting spins briefly before parking, because an inference runs dozens of loops a few hundred
 * microseconds apart and waking a parked thread costs tens of microseconds.
 *
 * <p>Closing waits for the loop in flight, if any, then stops the workers.
 *
 * <p>One loop at a time owns the workers. A caller that finds them busy (another inference on the
 * same engine, or a loop started from inside a loop body) runs its whole loop on its own thread as a
 * single chunk: with concurrent inferences the cores are busy anyway, nothing blocks, and since
 * kernels compute every element alike whatever the chunking, results are unchanged.
 */
final class WorkerPool implements AutoCloseable {

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /** How long an idle worker, or a caller waiting for its workers, spins before parking. */
    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Worker[] workers;
    /** Claimed by the caller whose loop owns the workers. */
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;
    /** Numbers the loops; written only by the owner of {@link #busy}. */
    private long generation;
    /** The loop in flight: written before, and read after, a worker's volatile {@code assigned}. */
    private RangeBody body;
    private int n;
    private int chunks;
    private volatile Thread waiter;

    WorkerPool(int threads) {
        this.threads = threads;
        int poolId = POOL_IDS.incrementAndGet();
        this.workers = new Worker[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(w + 1);
            Thread t = new Thread(workers[w], "retina-engine-" + poolId + "-" + (w + 1));
            t.setDaemon(true);
            workers[w].thread = t;
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    int parallelism() {
        return threads;
    }

    void parallelFor(int n, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (closed) {
            throw new InferenceException(InferenceException.Reason.CLOSED, "the engine is closed");
        }
        int chunks = Math.min(n, threads);
        if (chunks == 1 || !busy.compareAndSet(false, true)) {
            body.run(0, 0, n);
            return;
        }
        try {
            runShared(n, chunks, body);
        } finally {
            busy.set(false);
        }
    }

    private void runShared(int n, int chunks, RangeBody body) {
        this.body = body;
        this.n = n;
        this.chunks = chunks;
        this.waiter = Thread.currentThread();
        pending.set(chunks - 1);
        long g = ++generation;
        for (int w = 0; w < chunks - 1; w++) {
            workers[w].assign(g);
        }
        Throwable first = null;
        try {
            body.run(0, 0, (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            first = e;
        }
        awaitWorkers();
        Throwable other = failure.getAndSet(null);
        this.body = null;
        this.waiter = null;
        if (first == null) {
            first = other;
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new InferenceException(InferenceException.Reason.INTERNAL, "a worker failed: " + first, first);
        }
    }

    private void awaitWorkers() {
        long spinUntil = 0;
        while (pending.get() != 0) {
            long now = System.nanoTime();
            if (spinUntil == 0) {
                spinUntil = now + SPIN_NANOS;
            }
            if (now < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Holding busy for good lets the loop in flight finish and keeps later loops off the workers.
        while (!busy.compareAndSet(false, true)) {
            Thread.onSpinWait();
        }
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** The worker threads (not the callers), for tests that check they stop. */
    java.util.List<Thread> workerThreads() {
        java.util.List<Thread> list = new java.util.ArrayList<>();
        for (Worker w : workers) {
            list.add(w.thread);
        }
        return list;
    }

    /** One persistent worker, always running chunk {@link #chunk} of the loops it is assigned. */
    private final class Worker implements Runnable {

        private final int chunk;
        private Thread thread;
        /** The generation of the last loop this worker was given. */
        private volatile long assigned;
        /** Set while parked (or about to park), so the caller knows to unpark. */
        private volatile boolean parked;

        Worker(int chunk) {
            this.chunk = chunk;
        }

        void assign(long g) {
            assigned = g;
            // Pairs with awaitAssignment(): either the worker sees the assignment before parking, or we see parked.
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long g = awaitAssignment(seen);
                if (g == seen) {
                    return; // closed, nothing assigned
                }
                seen = g;
                try {
                    body.run(chunk, (int) ((long) n * chunk / chunks), (int) ((long) n * (chunk + 1) / chunks));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(waiter);
                }
            }
        }

        private long awaitAssignment(long seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                long g = assigned;
                if (g != seen || closed) {
                    return g;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (assigned == seen && !closed) {
                    LockSupport.park(this);
                }
                parked = false;
            }
        }
    }
}
