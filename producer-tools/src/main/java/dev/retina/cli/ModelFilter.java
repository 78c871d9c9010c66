package dev.retina.cli;

import java.util.Objects;

/**
 * Which model's statistics to show: {@code name} matches every version of the model, {@code name:version} one
 * version. Written as {@code --model} on the command line; the name is everything before the first colon.
 *
 * @param name    model name, never blank
 * @param version model version, or null for every version
 */
record ModelFilter(String name, String version) {

    ModelFilter {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        if (version != null && version.isBlank()) {
            throw new IllegalArgumentException("model version must not be blank when given");
        }
    }

    /**
     * Parses {@code name} or {@code name:version}.
     *
     * @throws IllegalArgumentException saying what was expected and what was found
     */
    static ModelFilter parse(String text) {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        String version = colon < 0 ? null : text.substring(colon + 1);
        if (name.isBlank() || (version != null && version.isBlank())) {
            throw new IllegalArgumentException("expected NAME or NAME:VERSION (e.g. shapes or shapes:2), found '"
                    + text + "'");
        }
        return new ModelFilter(name, version);
    }

    boolean matches(String modelName, String modelVersion) {
        return name.equals(modelName) && (version == null || version.equals(modelVersion));
    }

    @Override
    public String toString() {
        return version == null ? name : name + ":" + version;
    }
}
