package dev.retina.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a model package shipped with the project, e.g. {@code models/shapes/1}: in {@code RETINA_HOME}, in the
 * working directory or one of its parents, or beside the command-line jar or one of its parents (the launcher runs
 * {@code producer-tools/target/retina-cli.jar} from the repository).
 */
public final class ModelLocator {

    /** The demo's default model, relative to the repository root. */
    public static final Path SHIPPED_SHAPES = Path.of("models", "shapes", "1");

    private ModelLocator() {
    }

    /** The first directory holding {@code relative} with a {@code model.onnx}, searched as the class says. */
    public static Optional<Path> find(Path relative, Map<String, String> env) {
        for (Path root : roots(env)) {
            for (Path dir = root; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(relative);
                if (Files.isRegularFile(candidate.resolve("model.onnx"))) {
                    return Optional.of(candidate.normalize());
                }
            }
        }
        return Optional.empty();
    }

    /** Where {@link #find} looks, for the error message when nothing was found. */
    public static List<Path> roots(Map<String, String> env) {
        Set<Path> roots = new LinkedHashSet<>();
        String home = env.get("RETINA_HOME");
        if (home != null && !home.isBlank()) {
            roots.add(Path.of(home.trim()).toAbsolutePath());
        }
        roots.add(Path.of("").toAbsolutePath());
        try {
            Path code = Path.of(ModelLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            roots.add(code.toAbsolutePath().getParent() == null ? code : code.toAbsolutePath().getParent());
        } catch (URISyntaxException | RuntimeException e) {
            // No code source (an unusual class loader): the other roots remain.
        }
        return new ArrayList<>(roots);
    }
}
