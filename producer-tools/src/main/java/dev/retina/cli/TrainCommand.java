package dev.retina.cli;

import dev.retina.engine.data.DatasetException;
import dev.retina.engine.data.DatasetSpec;
import dev.retina.engine.data.LabeledDataset;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.train.Architecture;
import dev.retina.engine.train.EpochStats;
import dev.retina.engine.train.ModelPackageWriter;
import dev.retina.engine.train.Network;
import dev.retina.engine.train.OptimizerKind;
import dev.retina.engine.train.Trainer;
import dev.retina.engine.train.TrainingConfig;
import dev.retina.engine.train.TrainingSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code retina train}: trains a CNN classifier with the engine's trainer and writes it as a model
 * package (model.onnx + labels.txt + preprocess.json). Equal arguments give bit-identical models,
 * whatever {@code --threads} is.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a CNN classifier and write it as a model package (model.onnx, labels.txt, preprocess.json).",
            "Datasets: 'synthetic' (seeded coloured shapes, 64x64 RGB, 8 classes) or 'idx:DIR' (MNIST-style IDX files"
                + " train-images-idx3-ubyte[.gz] / train-labels-idx1-ubyte[.gz], and t10k-* for validation)."})
public final class TrainCommand implements Callable<Integer> {

    static final int DEFAULT_SYNTHETIC_TRAIN_SIZE = 12_000;
    /** Added to --seed for the synthetic validation images, so they never overlap the training images. */
    static final long VALIDATION_SEED_OFFSET = 1_000_003L;

    @Spec CommandSpec spec;

    @Option(names = "--dataset", required = true, description = "synthetic or idx:DIR.")
    String dataset;

    @Option(names = "--epochs", required = true, description = "Passes over the training data.")
    int epochs;

    @Option(names = "--seed", required = true,
            description = "Seeds the synthetic images, weight initialisation and shuffling.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR",
            description = "Directory to write the model package to (created if missing).")
    Path out;

    @Option(names = "--architecture", defaultValue = "shapes-s",
            description = "A preset (" + "shapes-s, shapes-m, lenet" + ") or layers such as"
                    + " conv:16:5:2,relu,pool:2,dense:64,relu (default: ${DEFAULT-VALUE}).")
    String architecture;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images per update (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "0.002",
            description = "Initial learning rate, decayed along a half cosine (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--optimizer", defaultValue = "adam", description = "sgd or adam (default: ${DEFAULT-VALUE}).")
    OptimizerKind optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--constant-learning-rate", description = "Keep the learning rate constant (no cosine decay).")
    boolean constantLearningRate;

    @Option(names = "--train-size", defaultValue = "0",
            description = "synthetic: images to generate (default " + DEFAULT_SYNTHETIC_TRAIN_SIZE
                    + "); idx: use only the first N training images (default all).")
    int trainSize;

    @Option(names = "--validation-size", defaultValue = "0",
            description = "Evaluate this many held-out images after each epoch (synthetic: seed + "
                    + VALIDATION_SEED_OFFSET + "; idx: the first N test images). Default 0: none.")
    int validationSize;

    @Option(names = "--threads", description = "Worker threads (default: available processors).")
    Integer threads;

    @Option(names = "--model-version", defaultValue = "1",
            description = "Written to model.onnx's model_version (default: ${DEFAULT-VALUE}).")
    long modelVersion;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        DatasetSpec source;
        Architecture arch;
        TrainingConfig config;
        try {
            source = DatasetSpec.parse(dataset);
            arch = Architecture.parse(architecture);
            config = new TrainingConfig(epochs, batchSize, learningRate, optimizer, momentum, !constantLearningRate,
                    seed, workers);
        } catch (IllegalArgumentException | DatasetException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (trainSize < 0 || validationSize < 0) {
            throw new ParameterException(spec.commandLine(), "--train-size and --validation-size must be >= 0, found "
                    + trainSize + " and " + validationSize);
        }
        try (Trainer trainer = new Trainer(config)) {
            boolean synthetic = source instanceof DatasetSpec.Synthetic;
            int count = synthetic && trainSize == 0 ? DEFAULT_SYNTHETIC_TRAIN_SIZE : trainSize;
            LabeledDataset trainData = source.open(DatasetSpec.Split.TRAIN, seed, count);
            PreprocessSpec preprocess = TrainingSet.defaultSpec(trainData);
            long t0 = System.nanoTime();
            TrainingSet trainSet = trainer.load(trainData, preprocess);
            TrainingSet validation = null;
            if (validationSize > 0) {
                LabeledDataset v = source.open(DatasetSpec.Split.TEST, seed + VALIDATION_SEED_OFFSET, validationSize);
                checkSameClasses(trainData, v);
                validation = trainer.load(v, preprocess);
            }
            Network network = Network.create(trainData.channels(), trainData.height(), trainData.width(), arch,
                    trainData.labels().size(), seed);
            o.printf(Locale.ROOT, "dataset: %s (loaded in %.1fs)%n", trainData.description(), (System.nanoTime() - t0) / 1e9);
            o.printf(Locale.ROOT, "network: %s%n", network.architecture());
            o.printf(Locale.ROOT, "parameters=%d macs_per_image=%d threads=%d optimizer=%s learning_rate=%s batch_size=%d%n",
                    network.parameterCount(), network.macsPerImage(), workers,
                    optimizer.name().toLowerCase(Locale.ROOT), learningRate, batchSize);
            o.flush();
            List<EpochStats> history = trainer.train(network, trainSet, validation, s -> {
                o.println(s.format());
                o.flush();
            });
            double seconds = history.stream().mapToDouble(EpochStats::seconds).sum();
            long images = (long) trainSet.size() * epochs;
            o.printf(Locale.ROOT, "trained images=%d time=%.1fs images/s=%.0f%n", images, seconds, images / seconds);
            ModelPackageWriter.write(out, network, trainData.labels(), preprocess, modelVersion,
                    metadata(network, source, trainSet.size()));
            o.printf("wrote %s (model.onnx, labels.txt, preprocess.json)%n", out);
            o.flush();
            return 0;
        } catch (DatasetException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        } catch (IOException e) {
            err.println("error: cannot write the model package to " + out + ": " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private static void checkSameClasses(LabeledDataset train, LabeledDataset validation) {
        if (!train.labels().equals(validation.labels()) || train.channels() != validation.channels()
                || train.height() != validation.height() || train.width() != validation.width()) {
            throw new IllegalArgumentException("validation data " + validation.description()
                    + " does not match the training data " + train.description());
        }
    }

    private Map<String, String> metadata(Network network, DatasetSpec source, int trainImages) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("retina.architecture", network.architecture().toString());
        // Only the directory's own name: the package must not carry paths of the machine it was trained on.
        m.put("retina.dataset", source instanceof DatasetSpec.Idx idx
                ? "idx:" + idx.dir().toAbsolutePath().normalize().getFileName() : source.toString());
        m.put("retina.train_images", Integer.toString(trainImages));
        m.put("retina.epochs", Integer.toString(epochs));
        m.put("retina.seed", Long.toString(seed));
        m.put("retina.optimizer", optimizer.name().toLowerCase(Locale.ROOT));
        m.put("retina.learning_rate", Float.toString(learningRate));
        m.put("retina.batch_size", Integer.toString(batchSize));
        m.put("retina.learning_rate_schedule", constantLearningRate ? "constant" : "cosine");
        return m;
    }
}
