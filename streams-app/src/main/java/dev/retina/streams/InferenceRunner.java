package dev.retina.streams;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retina.engine.tensor.Tensor;
import dev.retina.streams.model.ServingModel;

/**
 * Runs forward passes with a deadline, so that a stream thread never waits for one image longer than
 * {@code inference.timeout.ms}: the pass runs on a caller thread of this runner (the engine's own workers do the
 * arithmetic), and the stream thread waits on its future with a timeout. A pass that misses the deadline is
 * cancelled with an interrupt; the stream thread moves on at once.
 *
 * <p>At most {@code maxInFlight} passes run at a time. Normally that is one per stream thread; the headroom is for
 * passes that ignore their interrupt and keep running past their deadline. When every slot is taken by such passes
 * a new one is refused at once ({@link RejectedExecutionException}) rather than queued behind them.
 *
 * <p>A slot is a permit held from submission until the pass itself ends (not until its caller stops waiting), so the
 * count is exact. The threads are a fixed pool as large as the permits: a thread that has just finished a pass but
 * has not yet gone back to its queue can never cause a refusal, which a hand-off queue would under CPU contention.
 */
public final class InferenceRunner implements AutoCloseable {

    private final ExecutorService executor;
    private final Semaphore slots;
    private final int maxInFlight;
    private final Duration timeout;

    /**
     * @param maxInFlight most passes running at once, >= 1
     * @param timeout     deadline of one pass, > 0
     */
    public InferenceRunner(int maxInFlight, Duration timeout) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, found " + maxInFlight);
        }
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be > 0, found " + timeout);
        }
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
        AtomicInteger number = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(maxInFlight, r -> {
            Thread t = new Thread(r, "retina-inference-" + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A runner sized for {@code streamThreads} stream threads: each may have one pass plus one overdue one. */
    public static InferenceRunner forStreamThreads(int streamThreads, Duration timeout) {
        return new InferenceRunner(2 * streamThreads, timeout);
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs {@code inference} on {@code input} and waits at most {@link #timeout()}.
     *
     * @throws TimeoutException           when the deadline passed (the pass is cancelled)
     * @throws ExecutionException         wrapping the pass's own failure
     * @throws RejectedExecutionException when every slot is held by overdue passes, or the runner is closed
     * @throws InterruptedException       when the calling thread is interrupted while waiting
     */
    public Tensor run(ServingModel.Inference inference, Tensor input)
            throws TimeoutException, ExecutionException, InterruptedException {
        return submit(() -> inference.run(input));
    }

    /**
     * Like {@link #run}, returning the scores and the embedding of the same pass
     * ({@link ServingModel.Inference#runWithEmbedding}).
     */
    public ServingModel.Outputs runWithEmbedding(ServingModel.Inference inference, Tensor input)
            throws TimeoutException, ExecutionException, InterruptedException {
        return submit(() -> inference.runWithEmbedding(input));
    }

    private <T> T submit(Callable<T> pass) throws TimeoutException, ExecutionException, InterruptedException {
        if (!slots.tryAcquire()) {
            throw new RejectedExecutionException("all " + maxInFlight + " inference slots are held by passes past their deadline");
        }
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                slots.release();
            }
        };
        FutureTask<T> future = new FutureTask<>(() -> {
            started.set(true);
            try {
                return pass.call();
            } finally {
                release.run();
            }
        }) {
            @Override
            protected void done() {
                if (isCancelled() && !started.get()) {
                    release.run(); // cancelled before it ran: its body's finally never will
                }
            }
        };
        try {
            executor.execute(future);
        } catch (RejectedExecutionException e) {
            release.run();
            throw e;
        }
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    /** Passes running right now (including overdue ones). */
    public int inFlight() {
        return maxInFlight - slots.availablePermits();
    }

    /** Interrupts running passes and stops the runner's threads. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
