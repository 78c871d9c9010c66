package dev.retina.streams.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.retina.engine.model.ModelPackage;
import dev.retina.streams.model.ModelRejectedException.Reason;
import dev.retina.streams.model.ReloadHistory.Outcome;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one model name and hot-swaps its versions while records flow.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #current()} is one volatile read of an atomic reference: a stream thread never waits for a reload.</li>
 *   <li>Sources ({@link DirectoryModelSource}, {@link ModelTopicSource}) {@link #offer offer} candidates; the manager
 *       loads and validates them ({@link ModelValidator}) on its own single thread, never on a stream thread, warm-up
 *       included. Only then is the reference swapped, so the first record on the new model costs one ordinary
 *       inference.</li>
 *   <li>Which version serves: the pinned one if a pin is set, otherwise the highest known version
 *       ({@link VersionOrder}) that has not failed validation. A version republished with other bytes is a new
 *       candidate. A candidate that fails is rejected with its reason (log line, {@link #history()}, metric) and
 *       the current model keeps serving; an unpinned manager then falls back to the next highest valid version.</li>
 *   <li>A replaced model is retired after {@code retireGrace} (at least the inference deadline, so records that
 *       fetched it just before the swap still run on it) and its engine session is closed when its last running
 *       inference returns ({@link LoadedModel}'s leases). Each record therefore runs on exactly one model.</li>
 *   <li>Every known version's candidate is kept (bytes included), so a pin or rollback to an older version reloads
 *       and revalidates it without asking the source again.</li>
 * </ul>
 * Thread-safe. {@link #close()} stops the loader thread and releases every session.
 */
public final class ModelManager implements LiveModel {

    private static final Logger LOG = LoggerFactory.getLogger(ModelManager.class);

    /** Loads and validates a candidate; {@link ModelValidator#validate} in production. */
    @FunctionalInterface
    interface Loader {
        LoadedModel load(ModelCandidate candidate);
    }

    /** Notified on the manager's thread after each swap and rejection; must not block. */
    public interface Listener {
        /** {@code next} serves from now on; {@code previous} is null for the first model. */
        default void swapped(ModelIdentity previous, ModelIdentity next) {
        }

        /** A candidate (or an unreadable version) was rejected. */
        default void rejected(String version, Reason reason, String message) {
        }
    }

    private record Known(ModelCandidate candidate, String sha256) {
        String key() {
            return candidate.version() + "@" + sha256;
        }
    }

    private final String modelName;
    private final Loader loader;
    private final Duration retireGrace;
    private final ScheduledThreadPoolExecutor worker;
    private final AtomicReference<LoadedModel> live = new AtomicReference<>();
    private final Set<LoadedModel> retiring = ConcurrentHashMap.newKeySet();
    private final ReloadHistory history = new ReloadHistory();
    private final AtomicLong swaps = new AtomicLong();
    private final Map<Reason, AtomicLong> failures = new EnumMap<>(Reason.class);
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstModel = new CountDownLatch(1);
    private volatile String pinned;
    private volatile boolean closed;

    // Touched only on the worker thread.
    private final NavigableMap<String, Known> catalog = new TreeMap<>(VersionOrder.INSTANCE);
    private final Set<String> rejected = new HashSet<>();
    private final List<String> served = new ArrayList<>();

    /**
     * @param modelName   the model name this manager serves; candidates of other names are ignored
     * @param validator   loads and validates candidates (owned by the caller)
     * @param retireGrace how long a replaced model stays usable for records that already hold it; at least the
     *                    inference deadline ({@code inference.timeout.ms})
     */
    public ModelManager(String modelName, ModelValidator validator, Duration retireGrace) {
        this(modelName, Objects.requireNonNull(validator, "validator")::validate, retireGrace);
    }

    ModelManager(String modelName, Loader loader, Duration retireGrace) {
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.retireGrace = Objects.requireNonNull(retireGrace, "retireGrace");
        if (modelName.isBlank() || retireGrace.isNegative()) {
            throw new IllegalArgumentException("expected a model name and a grace period >= 0, found '" + modelName
                + "' and " + retireGrace);
        }
        for (Reason r : Reason.values()) {
            failures.put(r, new AtomicLong());
        }
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "retina-model-manager-" + modelName);
            t.setDaemon(true);
            return t;
        });
        worker.setRemoveOnCancelPolicy(true);
    }

    public String modelName() {
        return modelName;
    }

    @Override
    public ServingModel current() {
        LoadedModel m = live.get();
        if (m == null) {
            throw new ModelUnavailableException(closed ? "the model manager of '" + modelName + "' is closed"
                : "no version of model '" + modelName + "' has passed validation yet");
        }
        return m.serving();
    }

    /** The identity of the model serving now, if any. */
    public Optional<ModelIdentity> active() {
        LoadedModel m = live.get();
        return m == null ? Optional.empty() : Optional.of(m.identity());
    }

    /** Waits until a first model serves; true if one does within {@code timeout}. */
    public boolean awaitModel(Duration timeout) throws InterruptedException {
        return firstModel.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Queues {@code candidate} for validation. Completes when it has been considered (served, rejected, or kept
     * aside because another version wins); never completes exceptionally for a bad candidate.
     */
    public CompletableFuture<Void> offer(ModelCandidate candidate) {
        Objects.requireNonNull(candidate, "candidate");
        return submit(() -> {
            if (!candidate.name().equals(modelName)) {
                LOG.debug("Ignoring {}: this instance serves model '{}'", candidate, modelName);
                return;
            }
            Known k = new Known(candidate, ModelPackage.sha256(candidate.onnx()));
            Known before = catalog.get(candidate.version());
            if (before != null && before.sha256().equals(k.sha256())
                && Objects.equals(before.candidate().labels(), candidate.labels())
                && before.candidate().preprocessJson().equals(candidate.preprocessJson())) {
                return;     // the same release seen again (a re-poll, a re-read of the topic)
            }
            catalog.put(candidate.version(), k);
            LOG.info("Model candidate {}", candidate);
            reconcile();
        });
    }

    /** Records that a version of this model exists but cannot be read (a source-side failure). */
    public CompletableFuture<Void> unusable(String version, String origin, Reason reason, String message) {
        return submit(() -> reject(version, null, origin, reason, message));
    }

    /** Pins {@code version}: it serves (once known and valid) until {@link #unpin}. */
    public CompletableFuture<Void> pin(String version, String origin) {
        Objects.requireNonNull(version, "version");
        return submit(() -> {
            if (version.equals(pinned)) {
                return;
            }
            pinned = version;
            history.add(new ReloadHistory.Event(Instant.now(), modelName, version, null, Outcome.PINNED, null,
                "pinned to version " + version, origin));
            LOG.info("Model {} pinned to version {} ({})", modelName, version, origin);
            if (!catalog.containsKey(version)) {
                LOG.warn("Model {} is pinned to version {}, which is not known yet; {} keeps serving", modelName,
                    version, active().map(Object::toString).orElse("no model"));
            }
            reconcile();
        });
    }

    /** Lifts the pin: the highest valid version serves again. */
    public CompletableFuture<Void> unpin(String origin) {
        return submit(() -> {
            if (pinned == null) {
                return;
            }
            pinned = null;
            history.add(new ReloadHistory.Event(Instant.now(), modelName, null, null, Outcome.UNPINNED, null,
                "unpinned", origin));
            LOG.info("Model {} unpinned ({})", modelName, origin);
            reconcile();
        });
    }

    /**
     * Pins the version that served before the current one (a rollback). Completes exceptionally with
     * {@link IllegalStateException} when no earlier version has served.
     */
    public CompletableFuture<Void> rollback(String origin) {
        CompletableFuture<String> previous = new CompletableFuture<>();
        submit(() -> {
            String now = active().map(ModelIdentity::version).orElse(null);
            for (int i = served.size() - 1; i >= 0; i--) {
                if (!served.get(i).equals(now)) {
                    previous.complete(served.get(i));
                    return;
                }
            }
            previous.completeExceptionally(new IllegalStateException("cannot roll back model " + modelName
                + ": expected an earlier served version, found only " + (now == null ? "none" : now)));
        });
        return previous.thenCompose(v -> pin(v, origin));
    }

    /** Completes once every offer, pin and unpin queued before this call has been handled. */
    public CompletableFuture<Void> sync() {
        return submit(() -> { });
    }

    public Optional<String> pinned() {
        return Optional.ofNullable(pinned);
    }

    /** Known versions in {@link VersionOrder}, lowest first. */
    public CompletableFuture<List<String>> knownVersions() {
        CompletableFuture<List<String>> out = new CompletableFuture<>();
        submit(() -> out.complete(List.copyOf(catalog.keySet())));
        return out;
    }

    public ReloadHistory history() {
        return history;
    }

    /** Models swapped in so far, the first one included. */
    public long swapCount() {
        return swaps.get();
    }

    /** Candidates rejected so far, all reasons. */
    public long failedValidationCount() {
        return failures.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Candidates rejected so far for {@code reason}. */
    public long failedValidationCount(Reason reason) {
        return failures.get(reason).get();
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Registers {@code retina_model_swaps_total}, {@code retina_model_validation_failures_total{reason}} (every
     * reason from the start) and {@code retina_model_pinned} (1 while a pin is set) on {@code registry}. The active
     * version is {@code retina_model_info}, which the application updates from {@link Listener#swapped}.
     */
    public void bindMetrics(MeterRegistry registry) {
        FunctionCounter.builder("retina.model.swaps", swaps, AtomicLong::get)
            .description("Models swapped in (the first load included)").tag("model", modelName).register(registry);
        for (Map.Entry<Reason, AtomicLong> e : failures.entrySet()) {
            FunctionCounter.builder("retina.model.validation.failures", e.getValue(), AtomicLong::get)
                .description("Candidate models rejected, by reason").tag("model", modelName)
                .tag("reason", e.getKey().name()).register(registry);
        }
        Gauge.builder("retina.model.pinned", this, m -> m.pinned == null ? 0 : 1)
            .description("1 while a version is pinned").tag("model", modelName).register(registry);
    }

    private CompletableFuture<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            worker.execute(() -> {
                try {
                    task.run();
                    done.complete(null);
                } catch (RuntimeException e) {
                    LOG.error("Model manager of {} failed handling an event", modelName, e);
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the model manager of '" + modelName
                + "' is closed", e));
        }
        return done;
    }

    /** Brings the live model to the target version; runs on the worker thread. */
    private void reconcile() {
        while (!closed) {
            Known target = target();
            if (target == null) {
                return;
            }
            LoadedModel now = live.get();
            if (now != null && now.identity().version().equals(target.candidate().version())
                && now.identity().sha256().equals(target.sha256())) {
                return;
            }
            long start = System.nanoTime();
            LoadedModel next;
            try {
                next = loader.load(target.candidate());
            } catch (ModelRejectedException e) {
                reject(target, e.reason(), e.detail());
                if (pinned != null) {
                    return;
                }
                continue;
            } catch (RuntimeException e) {
                reject(target, Reason.CANARY_FAILED, "unexpected failure while validating: " + e);
                LOG.error("Unexpected failure validating {}", target.candidate(), e);
                if (pinned != null) {
                    return;
                }
                continue;
            }
            swap(next, target, (System.nanoTime() - start) / 1e6);
            return;
        }
    }

    /** The pinned version, or the highest version that has not been rejected; null if none. */
    private Known target() {
        String pin = pinned;
        if (pin != null) {
            Known k = catalog.get(pin);
            return k == null || rejected.contains(k.key()) ? null : k;
        }
        for (Known k : catalog.descendingMap().values()) {
            if (!rejected.contains(k.key())) {
                return k;
            }
        }
        return null;
    }

    private void swap(LoadedModel next, Known target, double loadMillis) {
        if (closed) {
            next.retire();
            return;
        }
        LoadedModel previous = live.getAndSet(next);
        swaps.incrementAndGet();
        served.add(next.identity().version());
        firstModel.countDown();
        history.add(new ReloadHistory.Event(Instant.now(), modelName, next.identity().version(),
            next.identity().sha256(), Outcome.SERVING, null, "validated in " + String.format("%.1f", loadMillis)
            + " ms and swapped in" + (previous == null ? "" : ", replacing " + previous.identity().version()),
            target.candidate().origin()));
        LOG.info("Model {} now serving (validated in {} ms{}; from {})", next.identity(),
            String.format("%.1f", loadMillis), previous == null ? "" : ", replacing " + previous.identity(),
            target.candidate().origin());
        if (previous != null) {
            retireLater(previous);
        }
        for (Listener l : listeners) {
            try {
                l.swapped(previous == null ? null : previous.identity(), next.identity());
            } catch (RuntimeException e) {
                LOG.warn("Model listener failed on swap to {}", next.identity(), e);
            }
        }
    }

    private void retireLater(LoadedModel previous) {
        retiring.add(previous);
        Runnable retire = () -> {
            retiring.remove(previous);
            previous.retire();
        };
        if (retireGrace.isZero()) {
            retire.run();
        } else {
            worker.schedule(retire, retireGrace.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void reject(Known target, Reason reason, String message) {
        rejected.add(target.key());
        reject(target.candidate().version(), target.sha256(), target.candidate().origin(), reason, message);
    }

    private void reject(String version, String sha256, String origin, Reason reason, String message) {
        failures.get(reason).incrementAndGet();
        history.add(new ReloadHistory.Event(Instant.now(), modelName, version, sha256, Outcome.REJECTED, reason,
            message, origin));
        LOG.warn("Model {}:{} rejected, {} keeps serving: {}: {}", modelName, version,
            active().map(Object::toString).orElse("no model"), reason, message);
        for (Listener l : listeners) {
            try {
                l.rejected(version, reason, message);
            } catch (RuntimeException e) {
                LOG.warn("Model listener failed on rejection of {}:{}", modelName, version, e);
            }
        }
    }

    /** Stops the loader thread and releases every model's session (running inferences finish first). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LoadedModel last = live.getAndSet(null);
        if (last != null) {
            last.retire();
        }
        for (LoadedModel m : new ArrayList<>(retiring)) {
            retiring.remove(m);
            m.retire();
        }
    }

    /** Versions rejected so far with their latest reason, for status displays. */
    public Map<String, Reason> rejectedVersions() {
        Map<String, Reason> out = new HashMap<>();
        for (ReloadHistory.Event e : history.events(Outcome.REJECTED)) {
            out.put(e.version(), e.reason());
        }
        return out;
    }
}
