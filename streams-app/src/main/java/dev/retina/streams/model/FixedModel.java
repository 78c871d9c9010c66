package dev.retina.streams.model;

import java.nio.file.Path;
import java.util.Objects;

import dev.retina.engine.InferenceException;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.ModelPackageException;
import dev.retina.engine.tensor.Tensor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model package loaded at start and served until close. The package itself ({@code model.onnx},
 * {@code labels.txt}, {@code preprocess.json}, checked against each other) is read by the engine's
 * {@link ModelPackage}; this class adds what serving needs on top: the identity from the model repository layout
 * {@code <repo>/<name>/<version>/} (the model's name is the parent directory's name, its version the directory's
 * own), an engine session, and a canary inference on a zero image whose output must hold one finite score per
 * label before anything is served.
 *
 * <p>A package that fails a check throws {@link ModelPackageException} (or the importer's
 * {@link dev.retina.engine.ModelLoadException}); the message names the directory and what was expected.
 */
public final class FixedModel implements LiveModel {

    private static final Logger LOG = LoggerFactory.getLogger(FixedModel.class);

    private final ServingModel serving;
    private final Session session;

    private FixedModel(ServingModel serving, Session session) {
        this.serving = serving;
        this.session = session;
    }

    /** Wraps a model that is already loaded; {@code session} (may be null) is closed with this. */
    public static FixedModel of(ServingModel serving, Session session) {
        return new FixedModel(Objects.requireNonNull(serving, "serving"), session);
    }

    /**
     * Loads and validates the package in {@code dir} on {@code engine}.
     *
     * @throws ModelPackageException             if a file is missing or unreadable, or the parts do not fit
     * @throws dev.retina.engine.ModelLoadException if the ONNX graph is invalid or unsupported
     */
    public static FixedModel load(Path dir, Engine engine) {
        Path absolute = dir.toAbsolutePath().normalize();
        ModelPackage pkg;
        try {
            pkg = ModelPackage.load(absolute);
        } catch (ModelPackageException e) {
            // The engine's message names the file; say which package directory the start was given as well.
            throw new ModelPackageException(e.reason(), "model package " + dir + ": "
                + e.getMessage().substring(e.reason().name().length() + 2), e);
        }
        ModelIdentity identity = identity(absolute, pkg);
        Session session = engine.newSession(pkg.model());
        try {
            ServingModel serving = ServingModel.of(identity, pkg, ServingModel.Inference.of(session, pkg));
            canary(dir, serving);
            LOG.info("Loaded model {} from {}: {} classes, input {} {}, {} parameters", identity, dir,
                pkg.classCount(), pkg.input().name(), pkg.input().shape(), pkg.model().parameterCount());
            return new FixedModel(serving, session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    @Override
    public ServingModel current() {
        return serving;
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
    }

    /** Name and version from {@code <repo>/<name>/<version>/}, the digest from the package. */
    static ModelIdentity identity(Path absoluteDir, ModelPackage pkg) {
        Path parent = absoluteDir.getParent();
        String name = parent == null || parent.getFileName() == null ? absoluteDir.getFileName().toString()
            : parent.getFileName().toString();
        String version = absoluteDir.getFileName() == null ? "0" : absoluteDir.getFileName().toString();
        return new ModelIdentity(name, version, pkg.sha256());
    }

    private static void canary(Path dir, ServingModel serving) {
        Tensor zeros = Tensor.zeros(serving.preprocessor().inputShape(1));
        Tensor out;
        try {
            out = serving.inference().run(zeros);
        } catch (InferenceException e) {
            throw mismatch(dir, "the canary inference on a zero image failed: " + e.getMessage());
        }
        if (out.shape().size() != serving.labels().size()) {
            throw mismatch(dir, "expected the canary inference to return " + serving.labels().size()
                + " scores, found shape " + out.shape());
        }
        for (float v : out.data()) {
            if (!Float.isFinite(v)) {
                throw mismatch(dir, "expected finite scores from the canary inference, found " + v);
            }
        }
    }

    private static ModelPackageException mismatch(Path dir, String message) {
        return new ModelPackageException(ModelPackageException.Reason.MODEL_MISMATCH,
            "model package " + dir + ": " + message);
    }
}
