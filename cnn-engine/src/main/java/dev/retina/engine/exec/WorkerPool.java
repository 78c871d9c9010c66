package dev.retina.engine.exec;

import dev.retina.engine.InferenceException;
import dev.retina.engine.kernel.ComputeContext.RangeBody;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's bounded pool of persistent daemon worker threads ({@code retina-engine-P-N}), shared by
 * every session and caller.
 *
 * <p>A parallel loop over {@code [0, n)} is cut into {@code chunks = min(n, parallelism())} contiguous
 * chunks; chunk {@code c} covers {@code [n * c / chunks, n * (c + 1) / chunks)}, whoever runs it, so
 * results never depend on which thread ran what. A loop costs no task objects, queues or futures: the
 * caller publishes the loop in a few fields and one atomic word (generation, chunk count, next chunk)
 * and wakes the workers it needs; the caller and the workers then claim chunks from that word until
 * none are left, and the last to finish wakes the caller. Because the caller claims chunks too, a
 * worker that is slow to wake (parked, or descheduled on a busy machine) delays nothing: its chunk is
 * simply run by someone else. Waiting spins briefly before parking, because an inference runs dozens
 * of loops a few hundred microseconds apart and waking a parked thread costs tens of microseconds.
 *
 * <p>One loop at a time owns the workers. A caller that finds them busy (another inference on the
 * same engine, or a loop started from inside a loop body) runs its whole loop on its own thread as a
 * single chunk: with concurrent inferences the cores are busy anyway, nothing blocks, and since
 * kernels compute every element alike whatever the chunking, results are unchanged.
 *
 * <p>Closing waits for the loop in flight, if any, then stops the workers.
 */
final class WorkerPool implements AutoCloseable {

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /**
     * How long an idle worker, or a caller waiting for its workers, spins before parking. Measured on
     * MobileNetV2 (about 60 loops of 50-300 us per image, 2 threads): with 50 us the worker was parked
     * at the start of a quarter of the loops, its wake-up came too late to help, and two threads ran
     * no faster than one (59 images/s); with 300 us, 108 images/s; 1 ms gained nothing more.
     */
    private static final long SPIN_NANOS = 300_000;
    private static final int CHUNK_BITS = 16;
    private static final long CHUNK_MASK = (1L << CHUNK_BITS) - 1;

    private final int threads;
    private final Worker[] workers;
    /** Claimed by the caller whose loop owns the workers. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /**
     * The loop in flight: generation (high 32 bits), chunk count (next 16) and next unclaimed chunk
     * (low 16). Published after the loop fields below; a thread that claims a chunk of generation g
     * reads them after its claim, and they cannot change before that chunk is done.
     */
    private final AtomicLong state = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;
    private RangeBody body;
    private int n;
    private volatile Thread waiter;

    WorkerPool(int threads) {
        if (threads > CHUNK_MASK) {
            throw new IllegalArgumentException("threads must be at most " + CHUNK_MASK + ", found " + threads);
        }
        this.threads = threads;
        int poolId = POOL_IDS.incrementAndGet();
        this.workers = new Worker[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker();
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
        this.waiter = Thread.currentThread();
        done.set(0);
        long generation = (state.get() >>> 32) + 1;
        state.set(generation << 32 | (long) chunks << CHUNK_BITS);
        int toWake = chunks - 1;
        for (int w = 0; w < workers.length && toWake > 0; w++) {
            // Pairs with Worker.awaitLoop(): either the worker sees the new state before parking, or we see parked.
            if (workers[w].parked) {
                LockSupport.unpark(workers[w].thread);
            }
            toWake--;
        }
        runChunks();
        awaitChunks(chunks);
        Throwable first = failure.getAndSet(null);
        this.body = null;
        this.waiter = null;
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

    /**
     * Claims and runs chunks of the current loop until none are left. A chunk's failure, the caller's
     * or a worker's, is recorded before the chunk is counted as done, so the caller always sees it
     * once every chunk is done and it can never leak into the next loop; the first one recorded wins.
     */
    private void runChunks() {
        while (true) {
            long s = state.get();
            int chunks = (int) (s >>> CHUNK_BITS & CHUNK_MASK);
            int c = (int) (s & CHUNK_MASK);
            if (c >= chunks) {
                return;
            }
            if (!state.compareAndSet(s, s + 1)) {
                continue;
            }
            int total = n;
            try {
                body.run(c, (int) ((long) total * c / chunks), (int) ((long) total * (c + 1) / chunks));
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                if (done.incrementAndGet() == chunks) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }

    private void awaitChunks(int chunks) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (done.get() != chunks) {
            if (System.nanoTime() < spinUntil) {
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
    List<Thread> workerThreads() {
        List<Thread> list = new ArrayList<>();
        for (Worker w : workers) {
            list.add(w.thread);
        }
        return list;
    }

    /** One persistent worker: waits for a new loop, helps run its chunks, and waits again. */
    private final class Worker implements Runnable {

        private Thread thread;
        /** Set while parked (or about to park), so the caller knows to unpark. */
        private volatile boolean parked;

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long generation = awaitLoop(seen);
                if (generation == seen) {
                    return; // closed
                }
                seen = generation;
                runChunks();
            }
        }

        /** The generation of a loop newer than {@code seen}, or {@code seen} once the pool is closed. */
        private long awaitLoop(long seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                long generation = state.get() >>> 32;
                if (generation != seen) {
                    return generation;
                }
                if (closed) {
                    return seen;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (state.get() >>> 32 == seen && !closed) {
                    LockSupport.park(this);
                }
                parked = false;
            }
        }
    }
}
