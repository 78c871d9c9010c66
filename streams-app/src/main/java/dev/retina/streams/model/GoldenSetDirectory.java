package dev.retina.streams.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a golden set laid out like an image-folder dataset: {@code <dir>/<label>/<image file>}, one sub-directory per
 * expected label, any number of images in each (hidden files, starting with '.', are skipped). Images are checked
 * when a model is validated, not here.
 */
public final class GoldenSetDirectory {

    /** Largest golden set, in total bytes: it travels inside one ModelRelease record. */
    public static final long MAX_TOTAL_BYTES = 16L * 1024 * 1024;

    private GoldenSetDirectory() {
    }

    /**
     * @throws IllegalArgumentException if {@code dir} is not a directory, holds files outside a label directory,
     *                                  or is larger than {@link #MAX_TOTAL_BYTES}
     * @throws UncheckedIOException     if a file cannot be read
     */
    public static List<ModelCandidate.GoldenSample> read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("expected a golden-set directory <dir>/<label>/<image>, found "
                + (Files.exists(dir) ? "a file" : "nothing") + " at " + dir);
        }
        List<ModelCandidate.GoldenSample> out = new ArrayList<>();
        long total = 0;
        try (Stream<Path> labels = Files.list(dir)) {
            for (Path labelDir : labels.sorted().toList()) {
                String label = labelDir.getFileName().toString();
                if (label.startsWith(".")) {
                    continue;
                }
                if (!Files.isDirectory(labelDir)) {
                    throw new IllegalArgumentException("expected only label directories in golden set " + dir
                        + ", found the file " + label);
                }
                try (Stream<Path> images = Files.list(labelDir)) {
                    for (Path image : images.sorted().toList()) {
                        String file = image.getFileName().toString();
                        if (file.startsWith(".") || !Files.isRegularFile(image)) {
                            continue;
                        }
                        total += Files.size(image);
                        if (total > MAX_TOTAL_BYTES) {
                            throw new IllegalArgumentException("expected a golden set of at most " + MAX_TOTAL_BYTES
                                + " bytes, found more in " + dir);
                        }
                        out.add(new ModelCandidate.GoldenSample(label + "/" + file, Files.readAllBytes(image), label));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden set " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
