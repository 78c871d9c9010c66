package dev.retina.streams.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import dev.retina.engine.InferenceException;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.model.Labels;
import dev.retina.engine.model.ModelPackageException;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model package loaded at start and served until close: {@code <dir>/model.onnx}, {@code labels.txt} and
 * {@code preprocess.json}. The directory follows the model repository layout {@code <repo>/<name>/<version>/},
 * so the model's name is the parent directory's name and its version the directory's own.
 *
 * <p>Loading validates the package before anything is served: the graph (by the importer), the labels, the spec,
 * the model's single input against the spec's {@code [1, C, H, W]} (or NHWC) shape, the output's class dimension
 * against the label count, and a canary inference on a zero image whose output must hold one finite score per label.
 * A package that fails any check throws {@link ModelPackageException} (or the importer's
 * {@link dev.retina.engine.ModelLoadException}) naming the file and what was expected.
 */
public final class FixedModel implements LiveModel {

    private static final Logger LOG = LoggerFactory.getLogger(FixedModel.class);

    public static final String MODEL_FILE = "model.onnx";
    public static final String LABELS_FILE = "labels.txt";
    public static final String PREPROCESS_FILE = "preprocess.json";

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
        if (!Files.isDirectory(absolute)) {
            throw new ModelPackageException(ModelPackageException.Reason.MISSING_FILE, "expected a model package "
                + "directory with " + MODEL_FILE + ", " + LABELS_FILE + " and " + PREPROCESS_FILE + ", found "
                + (Files.exists(absolute) ? "a file" : "nothing") + " at " + dir);
        }
        byte[] onnx = read(absolute.resolve(MODEL_FILE));
        List<String> labels = Labels.parse(read(absolute.resolve(LABELS_FILE)));
        PreprocessSpec spec = PreprocessSpec.parse(
            new String(read(absolute.resolve(PREPROCESS_FILE)), StandardCharsets.UTF_8));
        Model model = OnnxImporter.load(onnx);
        checkShapes(dir, model, labels, spec);
        Path parent = absolute.getParent();
        String name = parent == null || parent.getFileName() == null ? absolute.getFileName().toString()
            : parent.getFileName().toString();
        String version = absolute.getFileName() == null ? "0" : absolute.getFileName().toString();
        ModelIdentity identity = new ModelIdentity(name, version, sha256(onnx));
        Session session = engine.newSession(model);
        try {
            ServingModel serving = new ServingModel(identity, labels, spec, session::run);
            canary(dir, serving);
            LOG.info("Loaded model {} from {}: {} classes, input {}, {} parameters", identity, dir, labels.size(),
                Shape.of(spec.inputDims(1)), model.parameterCount());
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

    private static void checkShapes(Path dir, Model model, List<String> labels, PreprocessSpec spec) {
        if (model.inputs().size() != 1 || model.outputs().isEmpty()) {
            throw mismatch(dir, "expected a model with exactly one input and at least one output, found inputs "
                + model.inputs() + " and outputs " + model.outputs());
        }
        ValueInfo input = model.inputs().get(0);
        int[] expected = spec.inputDims(1);
        int[] found = input.shape().dims();
        boolean fits = found.length == expected.length;
        for (int i = 0; fits && i < found.length; i++) {
            fits = found[i] == expected[i] || i == 0 && found[i] == Shape.UNKNOWN;
        }
        if (!fits) {
            throw mismatch(dir, "expected the model input '" + input.name() + "' to take " + Shape.of(expected)
                + " as " + PREPROCESS_FILE + " produces (batch may be dynamic), found " + input.shape());
        }
        ValueInfo output = model.outputs().get(0);
        Shape shape = output.shape();
        int classes = shape.rank() == 0 ? -1 : shape.dim(shape.rank() - 1);
        if (classes != Shape.UNKNOWN && classes != labels.size()) {
            throw mismatch(dir, "expected the model output '" + output.name() + "' to have one score per label ("
                + labels.size() + " in " + LABELS_FILE + "), found shape " + shape);
        }
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
        return new ModelPackageException(ModelPackageException.Reason.MODEL_MISMATCH, dir + ": " + message);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelPackageException(ModelPackageException.Reason.MISSING_FILE, "expected " + file
                + " in the model package, found no such file");
        } catch (IOException e) {
            throw new ModelPackageException(ModelPackageException.Reason.IO_ERROR, "cannot read " + file + ": " + e,
                e);
        }
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
