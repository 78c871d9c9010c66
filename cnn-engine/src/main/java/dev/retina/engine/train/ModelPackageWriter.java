package dev.retina.engine.train;

import dev.retina.engine.model.Labels;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.PreprocessSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained network as a model package directory (the layout {@link ModelPackage} loads): {@code model.onnx} (see {@link OnnxExporter}),
 * {@code labels.txt} (one class name per line, label order) and {@code preprocess.json} (the
 * {@link PreprocessSpec} the network was trained with, so deployment feeds it the same numbers).
 *
 * <p>Each file is written to a temporary name in the directory and then moved into place, so a watcher
 * never sees half a file.
 */
public final class ModelPackageWriter {

    private ModelPackageWriter() {
    }

    /**
     * Writes the package into {@code dir} (created if missing; existing package files are replaced).
     *
     * @throws IllegalArgumentException if the label count differs from the network's classes or the spec's
     *                                  input size differs from the network's input
     */
    public static void write(Path dir, Network network, List<String> labels, PreprocessSpec spec, long modelVersion,
            Map<String, String> metadata) throws IOException {
        if (labels.size() != network.classes()) {
            throw new IllegalArgumentException("network has " + network.classes() + " classes but " + labels.size()
                    + " labels were given: " + labels);
        }
        int[] in = network.inputDims();
        if (spec.layout() != PreprocessSpec.Layout.NCHW || spec.channels() != in[0] || spec.height() != in[1]
                || spec.width() != in[2]) {
            throw new IllegalArgumentException("preprocessing produces " + java.util.Arrays.toString(spec.inputDims(1))
                    + " (" + spec.layout().json() + ") but the network expects [1, " + in[0] + ", " + in[1] + ", "
                    + in[2] + "] (nchw)");
        }
        Files.createDirectories(dir);
        byte[] onnx = OnnxExporter.export(network, "retina_classifier",
                modelVersion, metadata).toByteArray();
        writeAtomically(dir.resolve(ModelPackage.LABELS_FILE), Labels.format(labels).getBytes(StandardCharsets.UTF_8));
        writeAtomically(dir.resolve(ModelPackage.PREPROCESS_FILE), spec.toJson().getBytes(StandardCharsets.UTF_8));
        // The model goes last: a directory watcher that keys on model.onnx finds the other files present.
        writeAtomically(dir.resolve(ModelPackage.MODEL_FILE), onnx);
    }

    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(tmp, content);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
