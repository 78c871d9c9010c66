package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.retina.engine.data.DatasetSpec;
import dev.retina.engine.data.ImageFormat;
import dev.retina.engine.data.LabeledDataset;
import dev.retina.engine.data.SyntheticShapes;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.ImageClassifier;
import dev.retina.engine.model.ImageScores;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.train.Architecture;
import dev.retina.engine.train.ConfusionMatrix;
import dev.retina.engine.train.ModelPackageWriter;
import dev.retina.engine.train.Network;
import dev.retina.engine.train.OptimizerKind;
import dev.retina.engine.train.Trainer;
import dev.retina.engine.train.TrainingConfig;
import dev.retina.engine.train.TrainingListener;
import dev.retina.engine.train.TrainingSet;
import dev.retina.streams.stats.DriftReference;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code retina evaluate}: the accuracy it measures through encode, decode, preprocess.json and the engine
 * equals the trainer's own accuracy on the same images, and bad input is reported.
 */
@Timeout(120)
class EvaluateCommandTest {

    static final long EVAL_SEED = 77;
    static final int EVAL_IMAGES = 48;

    @TempDir static Path dir;
    static Path model;
    static ConfusionMatrix expected;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeAll
    static void trainSmallModel() throws Exception {
        model = dir.resolve("shapes");
        SyntheticShapes train = new SyntheticShapes(5, 160);
        SyntheticShapes test = new SyntheticShapes(EVAL_SEED, EVAL_IMAGES);
        try (Trainer trainer = new Trainer(new TrainingConfig(2, 16, 0.01f, OptimizerKind.ADAM, 0.9f, true, 5, 2))) {
            TrainingSet trainSet = trainer.load(train, TrainingSet.defaultSpec(train));
            Network net = Network.create(3, 64, 64, Architecture.parse(TrainCommandTest.TINY), 8, 5);
            trainer.train(net, trainSet, null, TrainingListener.none());
            ModelPackageWriter.write(model, net, train.labels(), trainSet.spec(), 1, Map.of());
            expected = trainer.evaluate(net, trainer.load(test, trainSet.spec()));
        }
    }

    int run(String... args) {
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void measuresTheSameAccuracyAsTheTrainerThroughTheDeployedPath() {
        int code = run("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic", "--seed", "" + EVAL_SEED,
                "--limit", "" + EVAL_IMAGES, "--batch-size", "10", "--threads", "2");
        assertThat(code).as(err.toString()).isZero();
        String line = String.format(Locale.ROOT, "accuracy=%.4f images=%d", expected.accuracy(), EVAL_IMAGES);
        assertThat(out.toString()).containsPattern("(?m)^accuracy=\\d\\.\\d{4} images=48$").contains(line);
        assertThat(out.toString()).contains("true\\pred").contains("  0 circle").contains("  7 checkerboard")
                .containsPattern("images/s=\\d+");
        for (int i = 0; i < 8; i++) {
            // Each row of the printed matrix holds the trainer's counts for that class.
            StringBuilder row = new StringBuilder();
            for (int j = 0; j < 8; j++) {
                row.append(String.format(Locale.ROOT, "%5d", expected.count(i, j)));
            }
            assertThat(out.toString()).contains(row.toString());
        }
    }

    @Test
    void jpegEncodingStillClassifies() {
        int code = run("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic", "--seed", "" + EVAL_SEED,
                "--limit", "16", "--format", "jpeg");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("(?m)^accuracy=[01]\\.\\d{4} images=16$").contains("encoded as jpeg");
    }

    @Test
    void labelsAreMatchedByName() throws Exception {
        Path renamed = dir.resolve("renamed");
        Files.createDirectories(renamed);
        for (String f : new String[] {"model.onnx", "preprocess.json"}) {
            Files.copy(model.resolve(f), renamed.resolve(f));
        }
        Files.writeString(renamed.resolve("labels.txt"), "a\nb\nc\nd\ne\nf\ng\nh\n", StandardCharsets.UTF_8);
        int code = run("evaluate", "--model-dir", renamed.toString(), "--dataset", "synthetic", "--limit", "8");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("the dataset's class \"circle\" is not among the model's labels [a, b");
    }

    @Test
    void evaluatesIdxTestFiles() throws Exception {
        Path data = TrainCommandTest.writeIdxBars(dir.resolve("bars"), 32);
        Path idxModel = dir.resolve("bars-model");
        assertThat(run("train", "--dataset", "idx:" + data, "--epochs", "3", "--seed", "2", "--out", idxModel.toString(),
                "--architecture", "conv:4:3,relu,pool:2", "--batch-size", "4", "--threads", "1")).as(err.toString()).isZero();
        int code = run("evaluate", "--model-dir", idxModel.toString(), "--dataset", "idx:" + data, "--limit", "20");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("(?m)^accuracy=[01]\\.\\d{4} images=20$");
    }

    @Test
    void writesADriftReferenceThatMatchesADirectComputation() throws Exception {
        Path file = dir.resolve("reference.json");
        int code = run("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic", "--seed", "" + EVAL_SEED,
                "--limit", "" + EVAL_IMAGES, "--batch-size", "10", "--threads", "2", "--write-reference",
                file.toString(), "--reference-description", "validation set", "--model-name", "shapes",
                "--model-version", "7");
        assertThat(code).as(err.toString()).isZero();

        DriftReference written = DriftReference.read(file);
        assertThat(written.description()).isEqualTo("validation set");
        assertThat(written.modelName()).isEqualTo("shapes");
        assertThat(written.modelVersion()).isEqualTo("7");
        assertThat(written.count()).isEqualTo(EVAL_IMAGES);
        assertThat(out.toString()).contains("drift reference: " + file + " (shapes:7, 48 images, ");

        // The same images through the same deployed path, one at a time, summarised by hand.
        ModelPackage pkg = ModelPackage.load(model);
        LabeledDataset data = DatasetSpec.parse("synthetic").open(DatasetSpec.Split.TEST, EVAL_SEED, EVAL_IMAGES);
        Map<String, Integer> classes = new TreeMap<>();
        double[] bins = new double[10];
        List<float[]> embeddings = new ArrayList<>();
        try (Engine engine = Engine.create(1); Session session = engine.newSession(pkg.model())) {
            ImageClassifier classifier = new ImageClassifier(pkg, session);
            for (int i = 0; i < data.size(); i++) {
                ImageScores s = classifier.score(ImageDecoder.withDefaults().decode(
                        ImageFormat.PNG.encode(data.image(i))), 1);
                classes.merge(s.topK().get(0).label(), 1, Integer::sum);
                bins[Math.min(9, (int) Math.floor(s.topK().get(0).score() * 10))] += 1.0 / EVAL_IMAGES;
                embeddings.add(s.embedding().clone());
            }
        }
        assertThat(written.classProportions().keySet()).containsExactlyElementsOf(classes.keySet());
        classes.forEach((label, n) -> assertThat(written.classProportions().get(label))
                .isCloseTo((double) n / EVAL_IMAGES, within(1e-12)));
        assertThat(written.confidenceBins()).containsExactly(bins, within(1e-12));

        assertThat(written.hasEmbedding()).as("the tiny network's classifier layer has an input").isTrue();
        int dims = embeddings.get(0).length;
        double[] mean = new double[dims];
        double[] variance = new double[dims];
        for (float[] e : embeddings) {
            for (int d = 0; d < dims; d++) {
                mean[d] += e[d] / (double) EVAL_IMAGES;
            }
        }
        for (float[] e : embeddings) {
            for (int d = 0; d < dims; d++) {
                variance[d] += (e[d] - mean[d]) * (e[d] - mean[d]) / EVAL_IMAGES;
            }
        }
        assertThat(written.embeddingMean()).hasSize(dims).containsExactly(mean, within(1e-5));
        assertThat(written.embeddingVariance()).containsExactly(variance, within(1e-5));
    }

    @Test
    void referenceDefaultsToTheDirectoryLayoutAndADescriptiveName() throws Exception {
        Path layout = dir.resolve("repo").resolve("shapes").resolve("3");
        Files.createDirectories(layout);
        for (String f : new String[] {"model.onnx", "labels.txt", "preprocess.json"}) {
            Files.copy(model.resolve(f), layout.resolve(f));
        }
        Path file = dir.resolve("default-reference.json");
        int code = run("evaluate", "--model-dir", layout.toString(), "--dataset", "synthetic", "--limit", "8",
                "--write-reference", file.toString());
        assertThat(code).as(err.toString()).isZero();

        DriftReference written = DriftReference.read(file);
        assertThat(written.modelName()).isEqualTo("shapes");
        assertThat(written.modelVersion()).isEqualTo("3");
        assertThat(written.count()).isEqualTo(8);
        assertThat(written.description()).startsWith("retina evaluate of shapes:3 on ");
    }

    @Test
    void referenceOptionsAreChecked() {
        assertThat(run("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic",
                "--reference-description", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("expected --write-reference FILE with them");
        assertThat(run("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic",
                "--write-reference", dir.resolve("no-such-dir").resolve("r.json").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("expected --write-reference to name a file in an existing directory");
        assertThat(run("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic",
                "--write-reference", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("expected --write-reference to name a file, found a directory");
    }

    @Test
    void missingPackageAndBadOptionsAreReported() {
        assertThat(run("evaluate", "--model-dir", dir.resolve("nope").toString(), "--dataset", "synthetic")).isEqualTo(1);
        assertThat(err.toString()).contains("error: ").contains("nope");
        assertThat(run("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic", "--format", "tiff"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("unknown image format 'tiff', expected png or jpeg");
        assertThat(run("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic", "--limit", "-1"))
                .isEqualTo(2);
    }
}
