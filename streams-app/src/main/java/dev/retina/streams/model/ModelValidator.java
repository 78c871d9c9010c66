package dev.retina.streams.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.ImageClassifier;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.ModelPackageException;
import dev.retina.engine.model.Prediction;
import dev.retina.engine.tensor.Tensor;
import dev.retina.streams.model.ModelRejectedException.Reason;

/**
 * Turns a {@link ModelCandidate} into a {@link LoadedModel} that may serve, or rejects it. The checks, in order:
 * <ol>
 *   <li>size within the import limit ({@code TOO_LARGE});</li>
 *   <li>the SHA-256 of the bytes equals the announced one, when one was announced ({@code SHA256_MISMATCH});</li>
 *   <li>labels and preprocess.json parse ({@code INVALID_METADATA}); the graph loads and shape-checks
 *       ({@code INVALID_GRAPH}, with the engine's reason such as {@code UNSUPPORTED_OPERATOR});</li>
 *   <li>the model's input fits the preprocessing and its output size equals the label count
 *       ({@code MODEL_MISMATCH});</li>
 *   <li>warm-up passes and a canary inference on a zero image, each on a separate thread and bounded in time: one
 *       finite score per label ({@code CANARY_FAILED}) within the canary budget ({@code CANARY_TIMEOUT});</li>
 *   <li>when the candidate carries a golden set, the share of images whose top-1 label is the expected one reaches
 *       the configured accuracy ({@code GOLDEN_SET_FAILED}).</li>
 * </ol>
 * The warm-up runs here, not on a stream thread, so the first record after a swap costs one ordinary inference.
 *
 * <p>Thread-safe; meant to be called from the model manager's loader thread. Owns a small pool for canary passes
 * (a pass that overruns its budget is abandoned there and its session closed when it finally returns).
 */
public final class ModelValidator implements AutoCloseable {

    private final Engine engine;
    private final ValidationSettings settings;
    private final ImageDecoder decoder = ImageDecoder.withDefaults();
    private final ExecutorService canaryPool;

    public ModelValidator(Engine engine, ValidationSettings settings) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.settings = Objects.requireNonNull(settings, "settings");
        AtomicInteger n = new AtomicInteger();
        this.canaryPool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "retina-model-canary-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public ValidationSettings settings() {
        return settings;
    }

    /**
     * Loads and validates {@code candidate}.
     *
     * @return the model, ready to serve; the caller owns it (retire it to release its session)
     * @throws ModelRejectedException naming the failed check and what was expected versus found
     */
    LoadedModel validate(ModelCandidate candidate) {
        Objects.requireNonNull(candidate, "candidate");
        long max = settings.limits().maxFileBytes();
        if (candidate.onnx().length > max) {
            throw new ModelRejectedException(Reason.TOO_LARGE, candidate + ": expected at most " + max
                + " bytes of ONNX, found " + candidate.onnx().length);
        }
        ModelPackage pkg = loadPackage(candidate);
        ModelIdentity identity = new ModelIdentity(candidate.name(), candidate.version(), pkg.sha256());
        Session session = engine.newSession(pkg.model());
        boolean handedOver = false;
        AtomicBoolean abandoned = new AtomicBoolean();
        try {
            canary(candidate, pkg, session, abandoned);
            golden(candidate, pkg, session);
            LoadedModel loaded = new LoadedModel(identity, pkg.labels(), pkg.spec(),
                ServingModel.Inference.of(session, pkg), session);
            handedOver = true;
            return loaded;
        } finally {
            if (!handedOver && !abandoned.get()) {
                session.close();
            }
        }
    }

    /**
     * Runs every check on {@code candidate} and releases the model again (for a publisher that refuses to release
     * what an instance would reject).
     *
     * @return the identity the model would serve under
     * @throws ModelRejectedException naming the failed check
     */
    public ModelIdentity check(ModelCandidate candidate) {
        LoadedModel m = validate(candidate);
        m.retire();
        return m.identity();
    }

    private ModelPackage loadPackage(ModelCandidate c) {
        try {
            return c.expectedSha256() == null
                ? ModelPackage.fromBytes(c.onnx(), c.labels(), c.preprocessJson())
                : ModelPackage.fromBytes(c.onnx(), c.labels(), c.preprocessJson(), c.expectedSha256());
        } catch (ModelPackageException e) {
            Reason reason = switch (e.reason()) {
                case SHA256_MISMATCH -> Reason.SHA256_MISMATCH;
                case MODEL_MISMATCH -> Reason.MODEL_MISMATCH;
                case TOO_LARGE -> Reason.TOO_LARGE;
                default -> Reason.INVALID_METADATA;
            };
            throw new ModelRejectedException(reason, c + ": " + e.getMessage(), e);
        } catch (ModelLoadException e) {
            throw new ModelRejectedException(Reason.INVALID_GRAPH, c + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ModelRejectedException(Reason.INVALID_GRAPH, c + ": the graph could not be loaded: " + e, e);
        }
    }

    private void canary(ModelCandidate c, ModelPackage pkg, Session session, AtomicBoolean abandoned) {
        Tensor zeros = Tensor.zeros(pkg.preprocessor().inputShape(1));
        Duration budget = settings.canaryBudget();
        Duration warmupBudget = budget.multipliedBy(10);
        for (int i = 0; i < settings.warmupPasses(); i++) {
            timedPass(c, session, zeros, warmupBudget, "warm-up pass " + (i + 1), abandoned);
        }
        long start = System.nanoTime();
        Tensor out = timedPass(c, session, zeros, budget, "canary inference", abandoned);
        long tookNanos = System.nanoTime() - start;
        if (tookNanos > budget.toNanos()) {
            throw new ModelRejectedException(Reason.CANARY_TIMEOUT, c + ": expected the canary inference to take at "
                + "most " + millis(budget.toNanos()) + " ms, it took " + millis(tookNanos) + " ms");
        }
        if (out.shape().size() != pkg.classCount()) {
            throw new ModelRejectedException(Reason.CANARY_FAILED, c + ": expected the canary inference to return "
                + pkg.classCount() + " scores (one per label), found shape " + out.shape());
        }
        for (float v : out.data()) {
            if (!Float.isFinite(v)) {
                throw new ModelRejectedException(Reason.CANARY_FAILED, c + ": expected finite scores from the "
                    + "canary inference on a zero image, found " + v);
            }
        }
    }

    private Tensor timedPass(ModelCandidate c, Session session, Tensor input, Duration limit, String what,
                             AtomicBoolean abandoned) {
        CompletableFuture<Tensor> pass = CompletableFuture.supplyAsync(() -> session.run(input), canaryPool);
        try {
            return pass.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // The pass cannot be stopped from outside; its session is closed when it finally returns.
            abandoned.set(true);
            pass.whenComplete((t, err) -> session.close());
            throw new ModelRejectedException(Reason.CANARY_TIMEOUT, c + ": expected the " + what + " to finish "
                + "within " + millis(limit.toNanos()) + " ms, it was still running");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ModelRejectedException(Reason.CANARY_FAILED, c + ": the " + what + " on a zero image failed: "
                + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoned.set(true);
            pass.whenComplete((t, err) -> session.close());
            throw new ModelRejectedException(Reason.CANARY_FAILED, c + ": interrupted during the " + what, e);
        }
    }

    private void golden(ModelCandidate c, ModelPackage pkg, Session session) {
        List<ModelCandidate.GoldenSample> samples = c.goldenSet();
        if (samples.isEmpty()) {
            return;
        }
        ImageClassifier classifier = new ImageClassifier(pkg, session);
        int right = 0;
        List<String> wrong = new ArrayList<>();
        for (ModelCandidate.GoldenSample s : samples) {
            if (!pkg.labels().contains(s.expectedLabel())) {
                throw new ModelRejectedException(Reason.GOLDEN_SET_FAILED, c + ": golden image " + s.id()
                    + " expects label '" + s.expectedLabel() + "', which is not one of the model's "
                    + pkg.classCount() + " labels");
            }
            DecodedImage image;
            try {
                image = decoder.decode(s.image());
            } catch (RuntimeException e) {
                throw new ModelRejectedException(Reason.GOLDEN_SET_FAILED, c + ": golden image " + s.id()
                    + " cannot be decoded: " + e.getMessage(), e);
            }
            Prediction top = classifier.classify(image, 1).get(0);
            if (top.label().equals(s.expectedLabel())) {
                right++;
            } else if (wrong.size() < 5) {
                wrong.add(s.id() + " expected " + s.expectedLabel() + " found " + top.label());
            }
        }
        double accuracy = (double) right / samples.size();
        if (accuracy < settings.goldenMinAccuracy()) {
            throw new ModelRejectedException(Reason.GOLDEN_SET_FAILED, c + ": expected a golden-set accuracy of at "
                + "least " + settings.goldenMinAccuracy() + ", found " + right + "/" + samples.size() + " = "
                + String.format("%.4f", accuracy) + " (first misses: " + String.join("; ", wrong) + ")");
        }
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6);
    }

    @Override
    public void close() {
        canaryPool.shutdownNow();
    }
}
