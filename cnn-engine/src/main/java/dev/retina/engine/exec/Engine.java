package dev.retina.engine.exec;

import dev.retina.engine.InferenceException;
import dev.retina.engine.graph.Model;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The inference engine: one per JVM, owning a bounded pool of daemon worker threads shared by all
 * its sessions and their concurrent callers. Work inside one inference (convolution, GEMM, pooling)
 * is split across the workers; results do not depend on the thread count. Closing the engine stops
 * the workers; sessions then refuse new calls.
 */
public final class Engine implements AutoCloseable {

    private final WorkerPool pool;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Engine(int threads) {
        this.pool = new WorkerPool(threads);
    }

    /** An engine with one worker per available processor. */
    public static Engine create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /**
     * An engine with {@code threads} workers (1 runs everything on the calling thread).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static Engine create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, found " + threads);
        }
        return new Engine(threads);
    }

    public int threads() {
        return pool.parallelism();
    }

    /** A session running {@code model} on this engine's workers. */
    public Session newSession(Model model) {
        checkOpen();
        return new Session(this, model);
    }

    WorkerPool pool() {
        return pool;
    }

    void checkOpen() {
        if (closed.get()) {
            throw new InferenceException(InferenceException.Reason.CLOSED, "the engine is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pool.close();
        }
    }
}
