package dev.retina.cli;

import dev.retina.engine.InferenceException;
import dev.retina.engine.ModelLoadException;
import dev.retina.engine.data.DatasetException;
import dev.retina.engine.data.DatasetSpec;
import dev.retina.engine.data.ImageFormat;
import dev.retina.engine.data.LabeledDataset;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.image.ImageDecodeException;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.ImageClassifier;
import dev.retina.engine.model.ImageScores;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.ModelPackageException;
import dev.retina.engine.model.Prediction;
import dev.retina.engine.train.ConfusionMatrix;
import dev.retina.streams.stats.DriftReference;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code retina evaluate}: measures a model package's accuracy on a labelled data set through the real
 * inference path. Every sample is encoded as an image file (PNG by default) and decoded by
 * {@link ImageDecoder}; the package ({@link ModelPackage}) is run by an {@link ImageClassifier} on an
 * engine session, which preprocesses by the package's preprocess.json, exactly as a deployed model
 * classifies an image record. Prints {@code accuracy=0.9712 images=N} and a
 * confusion matrix.
 *
 * <p>With {@code --write-reference FILE} it also writes the run's predictions as a drift reference
 * ({@link DriftReference}, built by {@link DriftReferenceBuilder}) for the app's {@code stats.reference.files}: the
 * app then compares every window of that model version with this evaluation instead of with its first full window.
 * The reference names the model as the directory layout {@code <name>/<version>/} does, unless
 * {@code --model-name}/{@code --model-version} say otherwise.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure a model package's accuracy on a labelled dataset through the deployed inference path",
            "(encode -> decode -> preprocess.json -> engine). Prints 'accuracy=A images=N' and a confusion matrix.",
            "With --write-reference FILE also writes the predictions as a drift reference for stats.reference.files."})
public final class EvaluateCommand implements Callable<Integer> {

    static final int DEFAULT_SYNTHETIC_IMAGES = 2000;
    /** Default seed of synthetic evaluation images; the documented training commands never use it. */
    static final long DEFAULT_SEED = 1000;

    @Spec CommandSpec spec;

    @Option(names = "--model-dir", required = true, description = "Model package directory (model.onnx, labels.txt, preprocess.json).")
    Path modelDir;

    @Option(names = "--dataset", required = true, description = "synthetic or idx:DIR (its t10k-* test files).")
    String dataset;

    @Option(names = "--seed", defaultValue = "" + DEFAULT_SEED,
            description = "Seed of the synthetic images (default: ${DEFAULT-VALUE}); use one never used for training.")
    long seed;

    @Option(names = "--limit", defaultValue = "0",
            description = "synthetic: number of images (default " + DEFAULT_SYNTHETIC_IMAGES
                    + "); idx: evaluate only the first N test images (default all).")
    int limit;

    @Option(names = "--format", defaultValue = "png",
            description = "How each sample is encoded before decoding: png or jpeg (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images per inference call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--threads", description = "Engine and decode threads (default: available processors).")
    Integer threads;

    @Option(names = "--write-reference", paramLabel = "FILE",
            description = "Also write a drift reference JSON of this run (class proportions, confidence bins,"
                    + " embedding mean/variance) for the app's stats.reference.files.")
    Path referenceFile;

    @Option(names = "--reference-description", paramLabel = "TEXT",
            description = "What the reference is, shown in every drift summary (default: the model and dataset).")
    String referenceDescription;

    @Option(names = "--model-name", paramLabel = "NAME",
            description = "Model name the reference is for (default: the name of the model directory's parent).")
    String modelName;

    @Option(names = "--model-version", paramLabel = "VERSION",
            description = "Model version the reference is for (default: the name of the model directory).")
    String modelVersion;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (limit < 0 || batchSize < 1 || (threads != null && threads < 1)) {
            throw new ParameterException(spec.commandLine(), "expected --limit >= 0, --batch-size >= 1 and --threads >= 1,"
                    + " found " + limit + ", " + batchSize + " and " + threads);
        }
        ImageFormat encoding;
        DatasetSpec source;
        try {
            encoding = ImageFormat.parse(format);
            source = DatasetSpec.parse(dataset);
        } catch (IllegalArgumentException | DatasetException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ReferenceTarget target = referenceTarget();
        int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        try {
            ModelPackage pkg = ModelPackage.load(modelDir);
            List<String> modelLabels = pkg.labels();
            boolean synthetic = source instanceof DatasetSpec.Synthetic;
            LabeledDataset data = source.open(DatasetSpec.Split.TEST, seed,
                    synthetic && limit == 0 ? DEFAULT_SYNTHETIC_IMAGES : limit);
            int[] toModel = mapLabels(data.labels(), modelLabels);
            out.printf("model: %s (%d classes, %d parameters, sha256 %s)%n", modelDir, modelLabels.size(),
                    pkg.model().parameterCount(), pkg.sha256());
            out.printf("dataset: %s, encoded as %s%n", data.description(), encoding.name().toLowerCase(Locale.ROOT));
            out.flush();
            ConfusionMatrix matrix = new ConfusionMatrix(modelLabels);
            DriftReferenceBuilder reference = new DriftReferenceBuilder();
            long started = System.nanoTime();
            try (Engine engine = Engine.create(workers); Session session = engine.newSession(pkg.model())) {
                ExecutorService decoders = Executors.newFixedThreadPool(workers);
                try {
                    run(data, toModel, encoding, new ImageClassifier(pkg, session), decoders, matrix, reference);
                } finally {
                    decoders.shutdownNow();
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf(Locale.ROOT, "accuracy=%.4f images=%d%n", matrix.accuracy(), matrix.total());
            out.print(matrix.format());
            out.printf(Locale.ROOT, "time=%.1fs images/s=%.0f%n", seconds, matrix.total() / seconds);
            if (target != null) {
                String description = referenceDescription != null ? referenceDescription
                        : "retina evaluate of " + target.name() + ":" + target.version() + " on "
                                + data.description();
                DriftReference written = reference.build(description, target.name(), target.version());
                written.write(target.file());
                out.printf(Locale.ROOT, "drift reference: %s (%s:%s, %d images, %d classes, %s)%n", target.file(),
                        written.modelName(), written.modelVersion(), written.count(),
                        written.classProportions().size(), written.hasEmbedding()
                                ? "embedding of " + written.embeddingMean().length + " dimensions"
                                : "no embedding");
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("error: cannot write the drift reference " + referenceFile + ": " + e);
            err.flush();
            return 1;
        } catch (DatasetException | ModelPackageException | ModelLoadException | InferenceException
                 | ImageDecodeException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** Where and for which model version to write the reference; null without --write-reference. */
    private ReferenceTarget referenceTarget() {
        if (referenceFile == null) {
            if (referenceDescription != null || modelName != null || modelVersion != null) {
                throw new ParameterException(spec.commandLine(), "--reference-description, --model-name and"
                        + " --model-version describe a drift reference; expected --write-reference FILE with them");
            }
            return null;
        }
        Path parent = referenceFile.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new ParameterException(spec.commandLine(), "expected --write-reference to name a file in an"
                    + " existing directory, found no directory " + parent);
        }
        if (Files.isDirectory(referenceFile)) {
            throw new ParameterException(spec.commandLine(), "expected --write-reference to name a file, found a"
                    + " directory: " + referenceFile);
        }
        Path dir = modelDir.toAbsolutePath().normalize();
        String name = modelName != null ? modelName
                : dir.getParent() == null ? null : dir.getParent().getFileName().toString();
        String version = modelVersion != null ? modelVersion : dir.getFileName() == null ? null
                : dir.getFileName().toString();
        if (name == null || name.isBlank() || version == null || version.isBlank()) {
            throw new ParameterException(spec.commandLine(), "expected --model-name and --model-version for the"
                    + " reference (the model directory " + dir + " is not laid out as NAME/VERSION)");
        }
        if (referenceDescription != null && referenceDescription.isBlank()) {
            throw new ParameterException(spec.commandLine(), "expected a non-blank --reference-description");
        }
        return new ReferenceTarget(referenceFile, name, version);
    }

    /** The reference file and the model version it describes. */
    private record ReferenceTarget(Path file, String name, String version) {
    }

    /** For each data set class, its index among the model's labels (matched by name). */
    static int[] mapLabels(List<String> dataLabels, List<String> modelLabels) {
        int[] map = new int[dataLabels.size()];
        for (int i = 0; i < map.length; i++) {
            map[i] = modelLabels.indexOf(dataLabels.get(i));
            if (map[i] < 0) {
                throw new IllegalArgumentException("the dataset's class \"" + dataLabels.get(i)
                        + "\" is not among the model's labels " + modelLabels);
            }
        }
        return map;
    }

    private void run(LabeledDataset data, int[] toModel, ImageFormat encoding, ImageClassifier classifier,
            ExecutorService decoders, ConfusionMatrix matrix, DriftReferenceBuilder reference) {
        ImageDecoder decoder = ImageDecoder.withDefaults();
        int n = data.size();
        for (int start = 0; start < n; start += batchSize) {
            int size = Math.min(batchSize, n - start);
            DecodedImage[] images = new DecodedImage[size];
            List<Callable<Void>> tasks = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int slot = i;
                int index = start + i;
                tasks.add(() -> {
                    images[slot] = decoder.decode(encoding.encode(data.image(index)));
                    return null;
                });
            }
            invokeAll(decoders, tasks);
            // One pass gives the top-1 for the matrix and the embedding for the reference.
            List<ImageScores> scores = classifier.scoreBatch(List.of(images), 1);
            for (int i = 0; i < size; i++) {
                Prediction best = scores.get(i).topK().get(0);
                matrix.add(toModel[data.label(start + i)], best.index());
                reference.add(best.label(), best.score(), scores.get(i).embedding());
            }
        }
    }

    private static void invokeAll(ExecutorService pool, List<Callable<Void>> tasks) {
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("evaluation interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("decoding failed: " + e.getCause(), e.getCause());
        }
    }
}
