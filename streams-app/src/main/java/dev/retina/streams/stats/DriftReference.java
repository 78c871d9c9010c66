package dev.retina.streams.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The distribution a window is compared with: class proportions, confidence proportions in
 * {@value Drift#CONFIDENCE_BINS} bins, and optionally the embedding mean and variance. Taken from a window of the
 * model version ({@link #fromWindow}) or read from a reference file ({@link #read}).
 *
 * <p>Reference file, JSON, UTF-8 (written by {@link #toJson}):
 * <pre>
 * {
 *   "format": "retina-drift-reference/1",        required, exactly this
 *   "description": "validation set 2026-11",     required, copied into DriftSummary.reference
 *   "modelName": "shapes", "modelVersion": "3",  required, the model version it describes
 *   "count": 5000,                               required, images it was computed from (>= 1)
 *   "classProportions": {"circle": 0.5, ...},    required, label -> proportion, each >= 0, sum 1 (within 1e-6)
 *   "confidenceBins": [0, 0, ..., 0.7],          required, 10 proportions of the top-1 score in [0, 0.1), ...,
 *                                                [0.9, 1.0], each >= 0, sum 1 (within 1e-6)
 *   "embedding": {"mean": [...], "variance": [...]}   optional, same length >= 1, variance >= 0
 * }
 * </pre>
 * Unknown fields are refused, so that a misspelt optional field is not silently ignored.
 *
 * @param description         what the reference is, for DriftSummary.reference
 * @param modelName           model it describes
 * @param modelVersion        model version it describes
 * @param count               number of images behind it
 * @param classProportions    label to proportion (sorted copy, unmodifiable)
 * @param confidenceBins      proportions of the top-1 score in ten bins of width 0.1
 * @param embeddingMean       per-dimension embedding mean, or null
 * @param embeddingVariance   per-dimension embedding variance, or null (null exactly when the mean is)
 */
public record DriftReference(String description, String modelName, String modelVersion, long count,
                             Map<String, Double> classProportions, double[] confidenceBins, double[] embeddingMean,
                             double[] embeddingVariance) {

    /** The value of the {@code format} field this code reads and writes. */
    public static final String FORMAT = "retina-drift-reference/1";

    private static final Set<String> FIELDS = Set.of("format", "description", "modelName", "modelVersion", "count",
        "classProportions", "confidenceBins", "embedding");
    private static final double SUM_TOLERANCE = 1e-6;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public DriftReference {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(modelVersion, "modelVersion");
        if (count < 1) {
            throw new IllegalArgumentException("a drift reference needs count >= 1, found " + count);
        }
        classProportions = Collections.unmodifiableMap(new TreeMap<>(classProportions));
        requireDistribution("classProportions",
            classProportions.values().stream().mapToDouble(Double::doubleValue).toArray());
        if (confidenceBins.length != Drift.CONFIDENCE_BINS) {
            throw new IllegalArgumentException("expected " + Drift.CONFIDENCE_BINS + " confidenceBins, found "
                + confidenceBins.length);
        }
        confidenceBins = confidenceBins.clone();
        requireDistribution("confidenceBins", confidenceBins);
        if ((embeddingMean == null) != (embeddingVariance == null)) {
            throw new IllegalArgumentException("embedding mean and variance must both be present or both absent");
        }
        if (embeddingMean != null) {
            if (embeddingMean.length == 0 || embeddingMean.length != embeddingVariance.length) {
                throw new IllegalArgumentException("embedding mean and variance must have the same length >= 1, found "
                    + embeddingMean.length + " and " + embeddingVariance.length);
            }
            embeddingMean = embeddingMean.clone();
            embeddingVariance = embeddingVariance.clone();
            for (int d = 0; d < embeddingMean.length; d++) {
                if (!Double.isFinite(embeddingMean[d]) || !(embeddingVariance[d] >= 0)
                        || !Double.isFinite(embeddingVariance[d])) {
                    throw new IllegalArgumentException("embedding mean must be finite and variance finite and >= 0,"
                        + " found mean=" + embeddingMean[d] + " variance=" + embeddingVariance[d] + " at dimension "
                        + d);
                }
            }
        }
    }

    /** The reference that {@code window} describes; the window must not be empty. */
    public static DriftReference fromWindow(WindowAggregate window, String description) {
        if (window.count() == 0) {
            throw new IllegalArgumentException("a drift reference needs a window with observations, found none");
        }
        EmbeddingMoments e = window.embedding();
        boolean withEmbedding = e != null && e.count() > 0;
        return new DriftReference(description, window.modelName(), window.modelVersion(), window.count(),
            window.classCounts().proportions(),
            window.confidenceHistogram().groupedProportions(Drift.CONFIDENCE_BINS),
            withEmbedding ? e.mean() : null, withEmbedding ? e.variance() : null);
    }

    public boolean hasEmbedding() {
        return embeddingMean != null;
    }

    @Override
    public double[] confidenceBins() {
        return confidenceBins.clone();
    }

    @Override
    public double[] embeddingMean() {
        return embeddingMean == null ? null : embeddingMean.clone();
    }

    @Override
    public double[] embeddingVariance() {
        return embeddingVariance == null ? null : embeddingVariance.clone();
    }

    /** The reference file text (see the class comment). */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("description", description);
        root.put("modelName", modelName);
        root.put("modelVersion", modelVersion);
        root.put("count", count);
        ObjectNode classes = root.putObject("classProportions");
        classProportions.forEach(classes::put);
        ArrayNode bins = root.putArray("confidenceBins");
        Arrays.stream(confidenceBins).forEach(bins::add);
        if (embeddingMean != null) {
            ObjectNode emb = root.putObject("embedding");
            ArrayNode mean = emb.putArray("mean");
            Arrays.stream(embeddingMean).forEach(mean::add);
            ArrayNode variance = emb.putArray("variance");
            Arrays.stream(embeddingVariance).forEach(variance::add);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a drift reference as JSON: " + e.getMessage(), e);
        }
    }

    /** Writes the reference file. */
    public void write(Path file) throws IOException {
        Files.writeString(file, toJson());
    }

    /**
     * Reads a reference file.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     * @throws UncheckedIOException if it cannot be read
     */
    public static DriftReference read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read drift reference " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("drift reference " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses reference file text (see the class comment). */
    public static DriftReference parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("expected JSON, found a syntax error: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, found " + (root == null ? "nothing"
                : root.getNodeType()));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "'");
            }
        }
        String format = text(root, "format");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("expected format '" + FORMAT + "', found '" + format + "'");
        }
        JsonNode countNode = required(root, "count");
        if (!countNode.canConvertToLong() || !countNode.isIntegralNumber()) {
            throw new IllegalArgumentException("expected an integer 'count', found " + countNode);
        }
        JsonNode classesNode = required(root, "classProportions");
        if (!classesNode.isObject()) {
            throw new IllegalArgumentException("expected an object 'classProportions', found "
                + classesNode.getNodeType());
        }
        Map<String, Double> classes = new TreeMap<>();
        classesNode.fields().forEachRemaining(e -> classes.put(e.getKey(), number(e.getValue(),
            "classProportions." + e.getKey())));
        double[] bins = numbers(required(root, "confidenceBins"), "confidenceBins");
        double[] mean = null;
        double[] variance = null;
        JsonNode emb = root.get("embedding");
        if (emb != null && !emb.isNull()) {
            if (!emb.isObject()) {
                throw new IllegalArgumentException("expected an object 'embedding', found " + emb.getNodeType());
            }
            mean = numbers(required(emb, "mean"), "embedding.mean");
            variance = numbers(required(emb, "variance"), "embedding.variance");
        }
        return new DriftReference(text(root, "description"), text(root, "modelName"), text(root, "modelVersion"),
            countNode.asLong(), classes, bins, mean, variance);
    }

    private static JsonNode required(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("missing required field '" + field + "'");
        }
        return n;
    }

    private static String text(JsonNode parent, String field) {
        JsonNode n = required(parent, field);
        if (!n.isTextual()) {
            throw new IllegalArgumentException("expected a string '" + field + "', found " + n.getNodeType());
        }
        return n.asText();
    }

    private static double number(JsonNode n, String field) {
        if (!n.isNumber()) {
            throw new IllegalArgumentException("expected a number at '" + field + "', found " + n);
        }
        return n.asDouble();
    }

    private static double[] numbers(JsonNode n, String field) {
        if (!n.isArray()) {
            throw new IllegalArgumentException("expected an array '" + field + "', found " + n.getNodeType());
        }
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(n.get(i), field + "[" + i + "]");
        }
        return v;
    }

    private static void requireDistribution(String name, double[] p) {
        double sum = 0;
        for (double v : p) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException(name + " must be finite and >= 0, found " + v);
            }
            sum += v;
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new IllegalArgumentException(name + " must sum to 1 (within " + SUM_TOLERANCE + "), found " + sum);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DriftReference r && description.equals(r.description) && modelName.equals(r.modelName)
            && modelVersion.equals(r.modelVersion) && count == r.count
            && classProportions.equals(r.classProportions) && Arrays.equals(confidenceBins, r.confidenceBins)
            && Arrays.equals(embeddingMean, r.embeddingMean) && Arrays.equals(embeddingVariance, r.embeddingVariance);
    }

    @Override
    public int hashCode() {
        return Objects.hash(description, modelName, modelVersion, count, classProportions,
            Arrays.hashCode(confidenceBins), Arrays.hashCode(embeddingMean), Arrays.hashCode(embeddingVariance));
    }

    @Override
    public String toString() {
        return "DriftReference[" + description + " " + modelName + ":" + modelVersion + " n=" + count + " classes="
            + classProportions + " confidenceBins=" + Arrays.toString(confidenceBins)
            + " embedding=" + (embeddingMean == null ? "none" : embeddingMean.length + " dims") + "]";
    }
}
