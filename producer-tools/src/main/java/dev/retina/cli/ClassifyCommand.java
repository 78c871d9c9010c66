package dev.retina.cli;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.image.ImageDecodeException;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.ImageClassifier;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.Prediction;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code retina classify --model-dir DIR [--top K] [--threads T] IMAGE...}: classifies image files with a model
 * package and prints one line per image on standard output, the path then the top-K labels with their
 * probabilities, separated by two spaces:
 * <pre>cat.jpg  circle 0.9731  ring 0.0150  square 0.0042</pre>
 * An image that cannot be read or decoded prints {@code <path>  error <REASON>: <message>} on standard error
 * (REASON is an {@link ImageDecodeException.Reason} or {@code NOT_FOUND} / {@code IO_ERROR}); the command goes on
 * with the next image and exits with 1 at the end if any image failed.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify image files with a model package; one line per image with the top-K labels.")
public final class ClassifyCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--model-dir", required = true, paramLabel = "DIR",
            description = "Model package directory: model.onnx, labels.txt, preprocess.json.")
    Path modelDir;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5",
            description = "How many labels to print per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--threads", paramLabel = "T",
            description = "Engine worker threads (default: the number of processors).")
    Integer threads;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "JPEG, PNG, GIF or BMP files.")
    List<Path> images;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1, found " + top);
        }
        int workers = InferCommand.threads(spec, threads);
        ModelPackage pkg = ModelPackage.load(modelDir);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImageDecoder decoder = ImageDecoder.withDefaults();
        int failed = 0;
        try (Engine engine = workers > 0 ? Engine.create(workers) : Engine.create();
             Session session = engine.newSession(pkg.model())) {
            ImageClassifier classifier = new ImageClassifier(pkg, session);
            for (Path image : images) {
                String failure = null;
                try {
                    DecodedImage decoded = decoder.decode(image);
                    out.println(line(image, classifier.classify(decoded, top)));
                    out.flush();
                } catch (ImageDecodeException e) {
                    failure = e.getMessage(); // starts with the reason code
                } catch (NoSuchFileException e) {
                    failure = "NOT_FOUND: no such file " + image;
                } catch (IOException e) {
                    failure = "IO_ERROR: cannot read " + image + ": " + e.getMessage();
                }
                if (failure != null) {
                    failed++;
                    err.println(image + "  error " + failure);
                    err.flush();
                }
            }
        }
        if (failed > 0) {
            err.println("retina classify: " + failed + " of " + images.size() + " image(s) could not be classified");
            err.flush();
            return 1;
        }
        return 0;
    }

    private static String line(Path image, List<Prediction> predictions) {
        StringBuilder sb = new StringBuilder(image.toString());
        for (Prediction p : predictions) {
            sb.append("  ").append(p.label()).append(' ').append(String.format(Locale.ROOT, "%.4f", p.score()));
        }
        return sb.toString();
    }
}
