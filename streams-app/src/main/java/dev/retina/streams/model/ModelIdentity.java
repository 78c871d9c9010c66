package dev.retina.streams.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which exact model produced a result: name, version and the SHA-256 of the ONNX bytes that were loaded.
 *
 * @param name    model name, e.g. {@code shapes}
 * @param version release version (opaque, compared for equality)
 * @param sha256  lower-case hex SHA-256 of the ONNX file, 64 characters
 */
public record ModelIdentity(String name, String version, String sha256) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ModelIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sha256, "sha256");
        if (name.isBlank() || version.isBlank()) {
            throw new IllegalArgumentException("model name and version must not be blank, found name='" + name
                + "' version='" + version + "'");
        }
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("expected a lower-case hex SHA-256 (64 characters), found '"
                + sha256 + "'");
        }
    }

    @Override
    public String toString() {
        return name + ":" + version + " (sha256 " + sha256.substring(0, 12) + "...)";
    }
}
