package dev.retina.streams.model;

import java.util.List;
import java.util.Objects;

/**
 * A model version offered to the {@link ModelManager} by a source (the model repository directory or the models
 * topic), before validation: the raw parts of a model package plus what the source promised about them.
 *
 * @param name           model name, e.g. {@code shapes}
 * @param version        release version; ordered by {@link VersionOrder}
 * @param expectedSha256 lower-case hex SHA-256 the source announced for {@code onnx}, or null when the source has
 *                       no independent digest (a repository directory: the digest is then computed, not checked)
 * @param onnx           the ONNX file's bytes
 * @param labels         class labels in model output order
 * @param preprocessJson the package's preprocess.json text
 * @param goldenSet      images with their expected top-1 label, possibly empty
 * @param origin         where the candidate came from, for logs and history (a path or topic/partition/offset)
 */
public record ModelCandidate(String name, String version, String expectedSha256, byte[] onnx, List<String> labels,
                             String preprocessJson, List<GoldenSample> goldenSet, String origin) {

    /**
     * One golden-set image.
     *
     * @param id            identifier for messages (file name or release image id)
     * @param image         encoded image file (JPEG, PNG, GIF or BMP)
     * @param expectedLabel the label the model must rank first
     */
    public record GoldenSample(String id, byte[] image, String expectedLabel) {
        public GoldenSample {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(expectedLabel, "expectedLabel");
        }
    }

    public ModelCandidate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(onnx, "onnx");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(preprocessJson, "preprocessJson");
        Objects.requireNonNull(origin, "origin");
        if (name.isBlank() || version.isBlank()) {
            throw new IllegalArgumentException("a model candidate needs a name and a version, found name='" + name
                + "' version='" + version + "'");
        }
        labels = List.copyOf(labels);
        goldenSet = goldenSet == null ? List.of() : List.copyOf(goldenSet);
    }

    @Override
    public String toString() {
        return name + ":" + version + " from " + origin + " (" + onnx.length + " bytes"
            + (expectedSha256 == null ? "" : ", sha256 " + abbreviate(expectedSha256)) + ")";
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "..." : sha;
    }
}
