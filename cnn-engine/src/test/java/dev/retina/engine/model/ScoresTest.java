package dev.retina.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ScoresTest {

    private static final List<String> LABELS = List.of("a", "b", "c", "d");

    @Test
    void logitsGetSoftmax() {
        double[] p = Scores.probabilities(new float[] {9, 1, 2, 3, 0, 9}, 1, 4, PreprocessSpec.OutputKind.LOGITS);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(0);
        assertThat(p[0]).isCloseTo(Math.exp(1) / z, within(1e-12));
        assertThat(p[2]).isCloseTo(Math.exp(3) / z, within(1e-12));
        assertThat(p[0] + p[1] + p[2] + p[3]).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void softmaxIsStableForHugeLogits() {
        double[] p = Scores.probabilities(new float[] {1000, 1000, -1000, 0}, 0, 4, PreprocessSpec.OutputKind.LOGITS);
        assertThat(p).containsExactly(new double[] {0.5, 0.5, 0, 0}, within(1e-12));
    }

    @Test
    void probabilitiesAreKeptAsIs() {
        float[] row = {0.1f, 0.2f, 0.3f, 0.4f};
        assertThat(Scores.probabilities(row, 0, 4, PreprocessSpec.OutputKind.PROBABILITIES)[3])
                .isCloseTo(0.4, within(1e-7));
    }

    @Test
    void autoDecidesByWhetherTheRowIsADistribution() {
        float[] distribution = {0.1f, 0.2f, 0.3f, 0.4f};
        float[] logits = {0.1f, 0.2f, 0.3f, 0.3f}; // in [0, 1] but sums to 0.9
        float[] negative = {-0.5f, 0.5f, 0.5f, 0.5f}; // sums to 1 but has a negative value
        assertThat(Scores.isDistribution(distribution, 0, 4)).isTrue();
        assertThat(Scores.isDistribution(logits, 0, 4)).isFalse();
        assertThat(Scores.isDistribution(negative, 0, 4)).isFalse();
        assertThat(Scores.probabilities(distribution, 0, 4, PreprocessSpec.OutputKind.AUTO)[0])
                .isCloseTo(0.1, within(1e-7));
        assertThat(Scores.probabilities(logits, 0, 4, PreprocessSpec.OutputKind.AUTO)[0])
                .isCloseTo(Math.exp(0.1) / (Math.exp(0.1) + Math.exp(0.2) + 2 * Math.exp(0.3)), within(1e-6));
    }

    @Test
    void topKIsSortedByScoreWithTiesByIndex() {
        List<Prediction> top = Scores.topK(new double[] {0.2, 0.4, 0.2, 0.2}, LABELS, 3);
        assertThat(top).containsExactly(new Prediction("b", 1, 0.4), new Prediction("a", 0, 0.2),
                new Prediction("c", 2, 0.2));
        assertThat(Scores.topK(new double[] {0.1, 0.2, 0.3, 0.4}, LABELS, 10)).extracting(Prediction::label)
                .containsExactly("d", "c", "b", "a");
        assertThat(Scores.topK(new double[] {0.7, 0.1, 0.1, 0.1}, LABELS, 1)).containsExactly(
                new Prediction("a", 0, 0.7));
    }

    @Test
    void topKRejectsBadArguments() {
        assertThatThrownBy(() -> Scores.topK(new double[4], LABELS, 0)).hasMessageContaining("k must be >= 1, found 0");
        assertThatThrownBy(() -> Scores.topK(new double[3], LABELS, 1))
                .hasMessageContaining("expected one label per score (3), found 4 labels");
    }
}
