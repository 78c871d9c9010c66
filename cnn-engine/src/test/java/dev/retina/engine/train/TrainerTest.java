package dev.retina.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.data.SyntheticShapes;
import dev.retina.engine.model.PreprocessSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class TrainerTest {

    private static final Architecture SMALL = Architecture.parse("conv:4:3,relu,pool:2,conv:6:3,relu,pool:2");

    private static float[] trainShapes(int threads, long seed, OptimizerKind optimizer) {
        SyntheticShapes data = new SyntheticShapes(11, 70, 16);
        TrainingConfig config = new TrainingConfig(2, 16, 0.01f, optimizer, 0.9f, true, seed, threads);
        try (Trainer trainer = new Trainer(config)) {
            TrainingSet set = trainer.load(data, TrainingSet.defaultSpec(data));
            Network net = Network.create(3, 16, 16, SMALL, 8, seed);
            trainer.train(net, set, null, TrainingListener.none());
            return net.parameters();
        }
    }

    @Test
    void sameSeedGivesBitIdenticalWeightsWhateverTheThreadCount() {
        for (OptimizerKind kind : OptimizerKind.values()) {
            float[] one = trainShapes(1, 5, kind);
            float[] two = trainShapes(2, 5, kind);
            float[] three = trainShapes(3, 5, kind);
            assertThat(two).as("%s, 2 threads vs 1", kind).isEqualTo(one);
            assertThat(three).as("%s, 3 threads vs 1", kind).isEqualTo(one);
            assertThat(trainShapes(2, 6, kind)).as("%s, another seed", kind).isNotEqualTo(one);
        }
    }

    @Test
    void initialisationIsSeededHeNormal() {
        Architecture arch = Architecture.parse("conv:32:3,relu,dense:64,relu");
        Network a = Network.create(3, 8, 8, arch, 10, 1);
        Network b = Network.create(3, 8, 8, arch, 10, 1);
        assertThat(a.parameters()).isEqualTo(b.parameters());
        assertThat(Network.create(3, 8, 8, arch, 10, 2).parameters()).isNotEqualTo(a.parameters());
        // The first conv's weights: 32 x 27, He std = sqrt(2 / 27); biases start at zero.
        float[] p = a.parameters();
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < 32 * 27; i++) {
            sum += p[i];
            sq += p[i] * p[i];
        }
        double mean = sum / (32 * 27);
        double std = Math.sqrt(sq / (32 * 27) - mean * mean);
        assertThat(std).isBetween(Math.sqrt(2.0 / 27) * 0.9, Math.sqrt(2.0 / 27) * 1.1);
        for (int i = 32 * 27; i < 32 * 27 + 32; i++) {
            assertThat(p[i]).isZero();
        }
    }

    @Test
    void learnsAnEasyTaskWithSgdAndAdam() {
        BarsDataset train = new BarsDataset(1, 400);
        BarsDataset test = new BarsDataset(2, 200);
        Architecture arch = Architecture.parse("conv:4:3,relu,pool:2");
        for (OptimizerKind kind : OptimizerKind.values()) {
            float lr = kind == OptimizerKind.SGD ? 0.05f : 0.01f;
            TrainingConfig config = new TrainingConfig(4, 16, lr, kind, 0.9f, false, 3, 2);
            try (Trainer trainer = new Trainer(config)) {
                PreprocessSpec spec = TrainingSet.defaultSpec(train);
                TrainingSet trainSet = trainer.load(train, spec);
                TrainingSet testSet = trainer.load(test, spec);
                Network net = Network.create(1, 12, 12, arch, 2, 3);
                double before = trainer.evaluate(net, testSet).accuracy();
                List<EpochStats> progress = new ArrayList<>();
                trainer.train(net, trainSet, testSet, progress::add);
                assertThat(progress).hasSize(4);
                EpochStats first = progress.get(0);
                EpochStats last = progress.get(3);
                System.out.println(kind + ": accuracy before " + before + "; " + first.format() + " -> " + last.format());
                assertThat(last.loss()).as("%s loss decreases", kind).isLessThan(first.loss());
                assertThat(last.validationAccuracy()).as("%s held-out accuracy", kind).isGreaterThan(0.95);
                assertThat(last.imagesPerSecond()).isPositive();
                assertThat(last.epoch()).isEqualTo(4);
                ConfusionMatrix m = trainer.evaluate(net, testSet);
                assertThat(m.total()).isEqualTo(200);
                assertThat(m.accuracy()).isEqualTo(last.validationAccuracy());
            }
        }
    }

    @Test
    void rejectsMismatchedNetworksAndBadConfigs() {
        BarsDataset data = new BarsDataset(1, 8);
        try (Trainer trainer = new Trainer(TrainingConfig.defaults(1, 1, 1))) {
            TrainingSet set = trainer.load(data, TrainingSet.defaultSpec(data));
            Network wrongClasses = Network.create(1, 12, 12, Architecture.parse("pool:2"), 3, 1);
            assertThatThrownBy(() -> trainer.train(wrongClasses, set, null, TrainingListener.none()))
                    .hasMessageContaining("network has 3 classes, data has 2");
            Network wrongInput = Network.create(3, 12, 12, Architecture.parse("pool:2"), 2, 1);
            assertThatThrownBy(() -> trainer.evaluate(wrongInput, set))
                    .hasMessageContaining("network input [3, 12, 12] does not match data [1, 12, 12]");
        }
        assertThatThrownBy(() -> new TrainingConfig(0, 1, 0.1f, OptimizerKind.SGD, 0.9f, true, 1, 1))
                .hasMessageContaining("epochs must be >= 1, found 0");
        assertThatThrownBy(() -> new TrainingConfig(1, 1, -0.1f, OptimizerKind.SGD, 0.9f, true, 1, 1))
                .hasMessageContaining("learning rate must be a positive number");
        assertThatThrownBy(() -> new TrainingConfig(1, 1, 0.1f, OptimizerKind.SGD, 1f, true, 1, 1))
                .hasMessageContaining("momentum must be in [0, 1)");
        assertThatThrownBy(() -> new TrainingConfig(1, 1, 0.1f, OptimizerKind.SGD, 0.5f, true, 1, 0))
                .hasMessageContaining("threads must be >= 1");
        PreprocessSpec rgb = PreprocessSpec.builder(12, 12).build();
        assertThatThrownBy(() -> TrainingSet.load(data, rgb)).hasMessageContaining("has 3 channel(s)");
        PreprocessSpec resized = PreprocessSpec.builder(10, 10).optColorMode(PreprocessSpec.ColorMode.GRAYSCALE).build();
        assertThatThrownBy(() -> TrainingSet.load(data, resized)).hasMessageContaining("keeps the data's size 12x12");
    }

    @Test
    void inputFollowsThePreprocessFormula() {
        BarsDataset data = new BarsDataset(4, 2);
        PreprocessSpec spec = TrainingSet.defaultSpec(data);
        TrainingSet set = TrainingSet.load(data, spec);
        byte[] px = new byte[144];
        data.pixels(1, px);
        float[] in = new float[144];
        set.input(1, in);
        for (int i = 0; i < 144; i++) {
            double expected = ((px[i] & 0xFF) * spec.scale() - 0.5) / 0.25;
            assertThat((double) in[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void confusionMatrixCountsAndFormats() {
        ConfusionMatrix m = new ConfusionMatrix(List.of("a", "b"));
        m.add(0, 0);
        m.add(0, 1);
        m.add(1, 1);
        m.add(1, 1);
        assertThat(m.accuracy()).isEqualTo(0.75);
        assertThat(m.recall(0)).isEqualTo(0.5);
        assertThat(m.count(0, 1)).isEqualTo(1);
        assertThat(m.format()).contains("  0 a").contains("0.5000").contains("1.0000");
        assertThatThrownBy(() -> m.add(2, 0)).hasMessageContaining("[0, 2)");
    }
}
