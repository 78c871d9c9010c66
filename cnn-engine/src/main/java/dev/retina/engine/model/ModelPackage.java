package dev.retina.engine.model;

import dev.retina.engine.graph.EmbeddingLocator;
import dev.retina.engine.graph.Graph;
import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.kernel.KernelProvider;
import dev.retina.engine.image.Preprocessor;
import dev.retina.engine.onnx.ImportLimits;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Shape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A deployable model: the ONNX graph, its class labels and its preprocessing, checked against each other.
 *
 * <h2>On disk</h2>
 * A directory holding exactly these three files (other files are ignored):
 * <ul>
 *   <li>{@code model.onnx} — the ONNX model; one float32 image input of rank 4 (batch first, dynamic allowed)
 *       and a first output of {@code [N, classes]} (trailing dimensions of size 1 allowed);</li>
 *   <li>{@code labels.txt} — one label per line in class-index order, see {@link Labels};</li>
 *   <li>{@code preprocess.json} — the {@link PreprocessSpec}.</li>
 * </ul>
 * Loading checks that the model's class count equals the number of labels and that its input shape is the one
 * the spec produces ({@code [N, C, H, W]} for NCHW, {@code [N, H, W, C]} for NHWC), and records the lower-case
 * hex SHA-256 of the {@code model.onnx} bytes, which identifies the exact model in results and releases.
 *
 * <h2>Embedding</h2>
 * The package also exposes the image's embedding, the value entering the final classifier layer: the one
 * {@code preprocess.json} names in {@code "embedding"}, else the one {@link EmbeddingLocator} finds (none for a head
 * it does not recognise). That value is appended to the model's outputs (after the class scores, which stay output 0)
 * so one forward pass returns both; {@link #embedding()} names it and {@link EmbeddingRows} turns it into one vector
 * per image.
 *
 * <p>Immutable and thread-safe; the loaded {@link Model} can back any number of sessions.
 */
public final class ModelPackage {

    public static final String MODEL_FILE = "model.onnx";
    public static final String LABELS_FILE = "labels.txt";
    public static final String PREPROCESS_FILE = "preprocess.json";
    /** Largest labels.txt or preprocess.json accepted (they are tiny; this only stops hostile input). */
    public static final long MAX_METADATA_BYTES = 16L * 1024 * 1024;

    private final Model model;
    private final List<String> labels;
    private final PreprocessSpec spec;
    private final String sha256;
    private final ValueInfo input;
    private final ValueInfo output;
    private final ValueInfo embedding;

    private ModelPackage(Imported imported, List<String> labels, PreprocessSpec spec, String sha256) {
        this.model = imported.model();
        this.labels = labels;
        this.spec = spec;
        this.sha256 = sha256;
        this.input = checkInput(model, spec);
        this.output = checkOutput(model, labels);
        this.embedding = checkEmbedding(model, imported.embedding(), spec);
    }

    /** The built model and the name of its embedding output (null when there is none). */
    private record Imported(Model model, String embedding) {
    }

    /**
     * Imports the ONNX bytes and builds the model with the embedding (named by the spec, else located) as an extra
     * output.
     */
    private static Imported importModel(byte[] onnx, ImportLimits limits, PreprocessSpec spec) {
        Graph graph = OnnxImporter.readGraph(onnx, limits);
        String name = spec.embedding() != null ? spec.embedding() : EmbeddingLocator.locate(graph).orElse(null);
        if (name != null) {
            if (spec.embedding() != null && graph.nodes().stream().noneMatch(n -> n.outputs().contains(name))) {
                throw mismatch("preprocess.json names the embedding '" + name + "', expected a value some node of "
                        + "the model computes, found none of that name");
            }
            graph = graph.withAddedOutput(name);
        }
        return new Imported(new Model(graph, KernelProvider.get(), limits.maxTensorElements()), name);
    }

    /**
     * Loads a package directory.
     *
     * @throws ModelPackageException                 for a missing, unreadable or invalid file or a mismatch
     * @throws dev.retina.engine.ModelLoadException  if model.onnx is not a model the engine can load
     */
    public static ModelPackage load(Path dir) {
        return load(dir, ImportLimits.defaults());
    }

    /**
     * Loads a package directory, importing model.onnx under the given limits (its file size limit is checked
     * before the file is read).
     *
     * @throws ModelPackageException                 for a missing, unreadable or invalid file or a mismatch
     * @throws dev.retina.engine.ModelLoadException  if model.onnx is not a model the engine can load
     */
    public static ModelPackage load(Path dir, ImportLimits limits) {
        if (!Files.isDirectory(dir)) {
            throw new ModelPackageException(ModelPackageException.Reason.MISSING_FILE,
                    "expected a model package directory (model.onnx, labels.txt, preprocess.json), found "
                            + (Files.exists(dir) ? "a file" : "nothing") + " at " + dir);
        }
        byte[] onnx = readFile(dir.resolve(MODEL_FILE), limits.maxFileBytes());
        byte[] labels = readFile(dir.resolve(LABELS_FILE), MAX_METADATA_BYTES);
        byte[] preprocess = readFile(dir.resolve(PREPROCESS_FILE), MAX_METADATA_BYTES);
        List<String> labelList = Labels.parse(labels);
        PreprocessSpec spec = PreprocessSpec.parse(decodeUtf8(preprocess));
        return new ModelPackage(importModel(onnx, limits, spec), labelList, spec, sha256(onnx));
    }

    /** A package from the three files' contents (e.g. read from an archive). */
    public static ModelPackage fromBytes(byte[] onnx, byte[] labelsTxt, byte[] preprocessJson) {
        return fromBytes(onnx, Labels.parse(labelsTxt), decodeUtf8(preprocessJson));
    }

    /**
     * A package from a model release: the ONNX bytes, the labels in class order and the preprocess.json text.
     *
     * @throws ModelPackageException                 for invalid labels or spec, or a mismatch with the model
     * @throws dev.retina.engine.ModelLoadException  if the ONNX bytes are not a model the engine can load
     */
    public static ModelPackage fromBytes(byte[] onnx, List<String> labels, String preprocessJson) {
        Objects.requireNonNull(onnx, "onnx");
        List<String> checkedLabels = Labels.check(labels);
        PreprocessSpec spec = PreprocessSpec.parse(preprocessJson);
        String sha = sha256(onnx);
        return new ModelPackage(importModel(onnx, ImportLimits.defaults(), spec), checkedLabels, spec, sha);
    }

    /**
     * Like {@link #fromBytes(byte[], List, String)}, but first checks the model bytes against the SHA-256 a release
     * announced (hex, case-insensitive), before parsing anything.
     *
     * @throws ModelPackageException with reason {@code SHA256_MISMATCH} if they differ
     */
    public static ModelPackage fromBytes(byte[] onnx, List<String> labels, String preprocessJson,
                                         String expectedSha256) {
        String actual = sha256(onnx);
        if (!actual.equalsIgnoreCase(expectedSha256 == null ? "" : expectedSha256.strip())) {
            throw new ModelPackageException(ModelPackageException.Reason.SHA256_MISMATCH,
                    "expected model bytes with SHA-256 " + expectedSha256 + ", found " + actual + " ("
                            + onnx.length + " bytes)");
        }
        return fromBytes(onnx, labels, preprocessJson);
    }

    /** The loaded, shape-checked graph. */
    public Model model() {
        return model;
    }

    /** Labels in class-index order (unmodifiable). */
    public List<String> labels() {
        return labels;
    }

    /** Number of classes (= labels().size() = the model's output size per image). */
    public int classCount() {
        return labels.size();
    }

    public PreprocessSpec spec() {
        return spec;
    }

    /** A preprocessor for this package's spec. */
    public Preprocessor preprocessor() {
        return new Preprocessor(spec);
    }

    /** Lower-case hex SHA-256 of the model.onnx bytes. */
    public String sha256() {
        return sha256;
    }

    /** The model's image input. */
    public ValueInfo input() {
        return input;
    }

    /** The model output that holds the class scores (its first output). */
    public ValueInfo output() {
        return output;
    }

    /**
     * The model output holding the image embedding (see the class documentation), shaped {@code [N, D]} or
     * {@code [N, C, ...]}; empty when the spec names none and the head has no recognised form.
     */
    public Optional<ValueInfo> embedding() {
        return Optional.ofNullable(embedding);
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    private static ValueInfo checkInput(Model model, PreprocessSpec spec) {
        List<ValueInfo> inputs = model.inputs();
        if (inputs.size() != 1) {
            throw mismatch("expected a model with exactly one (image) input, found " + inputs.size() + ": "
                    + describe(inputs));
        }
        ValueInfo in = inputs.get(0);
        Shape shape = in.shape();
        int[] expected = spec.inputDims(Shape.UNKNOWN);
        boolean fits = shape.rank() == expected.length;
        for (int i = 1; fits && i < expected.length; i++) {
            fits = shape.dim(i) == Shape.UNKNOWN || shape.dim(i) == expected[i];
        }
        if (!fits) {
            throw mismatch("preprocess.json produces input " + Arrays.toString(expected).replace("-1", "N")
                    + " (" + spec.layout().json() + ", color_mode " + spec.colorMode().json() + ", " + spec.height()
                    + "x" + spec.width() + "), but the model input '" + in.name() + "' has shape " + shape);
        }
        return in;
    }

    private static ValueInfo checkOutput(Model model, List<String> labels) {
        List<ValueInfo> outputs = model.outputs();
        if (outputs.isEmpty()) {
            throw mismatch("expected a model with at least one output, found none");
        }
        ValueInfo out = outputs.get(0);
        Shape shape = out.shape();
        if (shape.rank() < 2) {
            throw mismatch("expected the first output '" + out.name() + "' to be [N, classes], found shape " + shape);
        }
        long classes = 1;
        for (int i = 1; i < shape.rank(); i++) {
            if (shape.dim(i) == Shape.UNKNOWN) {
                throw mismatch("expected the first output '" + out.name() + "' to have a known class count, found "
                        + "shape " + shape);
            }
            classes *= shape.dim(i);
        }
        if (classes != labels.size()) {
            throw mismatch("the model's first output '" + out.name() + "' has shape " + shape + " = " + classes
                    + " classes, but labels.txt has " + labels.size() + " labels");
        }
        return out;
    }

    private static ValueInfo checkEmbedding(Model model, String name, PreprocessSpec spec) {
        if (name == null) {
            return null;
        }
        ValueInfo found = model.outputs().stream().filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the embedding '" + name + "' was added as an output"));
        Shape shape = found.shape();
        boolean batchFirst = shape.rank() >= 2 && (shape.dim(0) == Shape.UNKNOWN || shape.dim(0) == 1);
        for (int i = 1; batchFirst && i < shape.rank(); i++) {
            batchFirst = shape.dim(i) != Shape.UNKNOWN;
        }
        if (!batchFirst) {
            throw mismatch((spec.embedding() != null ? "preprocess.json names the embedding '" : "the embedding '")
                    + name + "'; expected a value shaped [N, D] or [N, C, ...] with known dimensions after the "
                    + "batch, found shape " + shape);
        }
        return found;
    }

    private static String describe(List<ValueInfo> values) {
        StringBuilder sb = new StringBuilder();
        for (ValueInfo v : values) {
            sb.append(sb.length() == 0 ? "" : ", ").append(v.name()).append(' ').append(v.shape());
        }
        return sb.toString();
    }

    private static ModelPackageException mismatch(String message) {
        return new ModelPackageException(ModelPackageException.Reason.MODEL_MISMATCH, message);
    }

    private static byte[] readFile(Path file, long limit) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ModelPackageException(ModelPackageException.Reason.MISSING_FILE,
                        "expected the file " + file + ", found " + (Files.exists(file) ? "a non-regular file"
                                : "nothing"));
            }
            long size = Files.size(file);
            if (size > limit) {
                throw new ModelPackageException(ModelPackageException.Reason.TOO_LARGE,
                        file + " has " + size + " bytes, the limit is " + limit + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelPackageException(ModelPackageException.Reason.MISSING_FILE,
                    "expected the file " + file + ", found nothing", e);
        } catch (IOException e) {
            throw new ModelPackageException(ModelPackageException.Reason.IO_ERROR,
                    "cannot read " + file + ": " + e, e);
        }
    }

    private static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ModelPackageException(ModelPackageException.Reason.INVALID_PREPROCESS,
                    "preprocess.json: expected UTF-8 text, found invalid bytes (" + e.getMessage() + ")", e);
        }
    }
}
