package dev.retina.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.retina.engine.data.DatasetSpec;
import dev.retina.engine.data.IdxDataset;
import dev.retina.engine.data.LabeledDataset;
import dev.retina.engine.data.Subset;
import dev.retina.engine.model.PreprocessSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short version of the Fashion-MNIST quality bar: reads the real IDX files and trains a small net on a
 * slice for a few seconds. Runs where Debian's {@code dataset-fashion-mnist} package is installed (or
 * where {@code -Dretina.fashionMnistDir} / {@code RETINA_FASHION_MNIST_DIR} points at the files) and is
 * skipped elsewhere. The full measurement (LeNet, all 60,000 images, >= 88%) is documented in MODELS.md.
 */
@Timeout(180)
class FashionMnistTest {

    /** Where Debian's dataset-fashion-mnist package installs the files. */
    private static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

    private static Path dataDir() {
        String dir = System.getProperty("retina.fashionMnistDir");
        if (dir == null) {
            dir = System.getenv().getOrDefault("RETINA_FASHION_MNIST_DIR", DEBIAN_DIR);
        }
        return Path.of(dir);
    }

    @Test
    void shortTrainingOnRealFashionMnistLearns() {
        Path dir = dataDir();
        assumeTrue(Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
                        || Files.isRegularFile(dir.resolve("train-images-idx3-ubyte")),
                "Fashion-MNIST not found in " + dir + " (apt-get install dataset-fashion-mnist, or set"
                        + " -Dretina.fashionMnistDir); skipping the real-data training check");
        IdxDataset fullTrain = IdxDataset.openDirectory(dir, true);
        LabeledDataset test = DatasetSpec.parse("idx:" + dir).open(DatasetSpec.Split.TEST, 0, 1000);
        assertThat(fullTrain.size()).isEqualTo(60_000);
        assertThat(fullTrain.height()).isEqualTo(28);
        assertThat(fullTrain.width()).isEqualTo(28);
        assertThat(fullTrain.labels()).isEqualTo(IdxDataset.FASHION_MNIST_LABELS);
        assertThat(test.size()).isEqualTo(1000);

        LabeledDataset train = new Subset(fullTrain, 3000);
        TrainingConfig config = new TrainingConfig(2, 32, 0.003f, OptimizerKind.ADAM, 0.9f, true, 1, 2);
        try (Trainer trainer = new Trainer(config)) {
            PreprocessSpec spec = TrainingSet.defaultSpec(train);
            assertThat(spec.colorMode()).isEqualTo(PreprocessSpec.ColorMode.GRAYSCALE);
            TrainingSet trainSet = trainer.load(train, spec);
            TrainingSet testSet = trainer.load(test, spec);
            Network net = Network.create(1, 28, 28, Architecture.parse("conv:8:5:2,relu,pool:2"), 10, 1);
            trainer.train(net, trainSet, null, s -> System.out.println("fashion-mnist short run: " + s.format()));
            double accuracy = trainer.evaluate(net, testSet).accuracy();
            System.out.printf("fashion-mnist short run: accuracy %.4f on the first 1000 test images%n", accuracy);
            // Chance is 0.10; a small net after 6,000 image steps reliably passes 0.70.
            assertThat(accuracy).isGreaterThan(0.70);
        }
    }
}
