package dev.retina.streams.model;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.tensor.Tensor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validated model and the resources behind its forward pass (an engine session), with a lease count so that the
 * resources are released only after the last forward pass that uses them has returned.
 *
 * <p>Every call of the {@link #serving() serving model}'s inference takes a lease for the duration of the pass.
 * {@link #retire()} marks the model as replaced; its resources are closed as soon as no lease is held, at once if
 * none is. A pass that starts after the close fails with {@link ModelUnavailableException}; the
 * {@link ModelManager} delays {@code retire()} by a grace period (at least the inference deadline) after a swap so
 * that records which fetched the model just before the swap still find it open.
 *
 * <p>Lease state: {@code leases >= 0} is the number of passes running; {@code -1} means closed. Closing is a
 * compare-and-set from 0 to -1, so it cannot race with a pass that is starting.
 */
final class LoadedModel {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);
    private static final int CLOSED = -1;

    private final ServingModel serving;
    private final ServingModel.Inference forward;
    private final AutoCloseable resources;
    private final AtomicInteger leases = new AtomicInteger();
    private volatile boolean retired;

    /**
     * @param identity  name, version and sha256
     * @param labels    labels in output order
     * @param spec      preprocessing
     * @param forward   the forward pass (thread-safe)
     * @param resources closed once the model is retired and idle (may be null)
     */
    LoadedModel(ModelIdentity identity, List<String> labels, PreprocessSpec spec, ServingModel.Inference forward,
                AutoCloseable resources) {
        this.forward = Objects.requireNonNull(forward, "forward");
        this.resources = resources;
        this.serving = new ServingModel(identity, labels, spec, new ServingModel.Inference() {
            @Override
            public Tensor run(Tensor input) {
                return LoadedModel.this.run(input);
            }

            @Override
            public ServingModel.Outputs runWithEmbedding(Tensor input) {
                acquire();
                try {
                    return forward.runWithEmbedding(input);
                } finally {
                    release();
                }
            }
        });
    }

    ServingModel serving() {
        return serving;
    }

    ModelIdentity identity() {
        return serving.identity();
    }

    private Tensor run(Tensor input) {
        acquire();
        try {
            return forward.run(input);
        } finally {
            release();
        }
    }

    private void acquire() {
        while (true) {
            int n = leases.get();
            if (n == CLOSED) {
                throw new ModelUnavailableException("model " + identity() + " was replaced and its session closed "
                    + "before this inference started; the record held it longer than the retirement grace period");
            }
            if (leases.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    private void release() {
        if (leases.decrementAndGet() == 0 && retired) {
            closeIfIdle();
        }
    }

    /** Marks the model as replaced: its resources close once no pass holds a lease (now, if none does). */
    void retire() {
        retired = true;
        closeIfIdle();
    }

    private void closeIfIdle() {
        if (leases.compareAndSet(0, CLOSED)) {
            if (resources != null) {
                try {
                    resources.close();
                } catch (Exception e) {
                    LOG.warn("Closing the session of retired model {} failed", identity(), e);
                }
            }
            LOG.info("Released retired model {}", identity());
        }
    }

    /** Passes running now (0 when idle or closed). */
    int leases() {
        return Math.max(0, leases.get());
    }

    boolean isRetired() {
        return retired;
    }

    boolean isClosed() {
        return leases.get() == CLOSED;
    }
}
