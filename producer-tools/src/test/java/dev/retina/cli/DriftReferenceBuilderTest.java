package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.retina.streams.stats.DriftReference;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hand-computed references from a few predictions, and the inputs a reference cannot be built from. */
@Timeout(10)
class DriftReferenceBuilderTest {

    @Test
    void proportionsBinsAndMomentsOfTheAddedPredictions() {
        DriftReferenceBuilder b = new DriftReferenceBuilder();
        b.add("circle", 0.95, new float[] {1, 2});
        b.add("circle", 1.0, new float[] {3, 2});
        b.add("square", 0.55, new float[] {2, 5});
        b.add("star", 0.05, new float[] {2, 3});

        DriftReference r = b.build("four images", "shapes", "1");

        assertThat(r.count()).isEqualTo(4);
        assertThat(r.classProportions()).isEqualTo(Map.of("circle", 0.5, "square", 0.25, "star", 0.25));
        // 0.05 -> [0, 0.1), 0.55 -> [0.5, 0.6), 0.95 and 1.0 -> [0.9, 1.0].
        assertThat(r.confidenceBins()).containsExactly(new double[] {0.25, 0, 0, 0, 0, 0.25, 0, 0, 0, 0.5},
                within(1e-12));
        assertThat(r.embeddingMean()).containsExactly(new double[] {2, 3}, within(1e-12));
        // Population variances: (1+1+0+0)/4 and (1+1+4+0)/4.
        assertThat(r.embeddingVariance()).containsExactly(new double[] {0.5, 1.5}, within(1e-12));
        assertThat(DriftReference.parse(r.toJson())).isEqualTo(r);
    }

    @Test
    void modelsWithoutEmbeddingGiveAReferenceWithoutOne() {
        DriftReferenceBuilder b = new DriftReferenceBuilder();
        b.add("circle", 0.9, new float[0]);

        DriftReference r = b.build("one image", "shapes", "1");

        assertThat(r.hasEmbedding()).isFalse();
        assertThat(r.confidenceBins()[9]).isEqualTo(1.0);
    }

    @Test
    void badInputIsRefusedWithWhatWasExpected() {
        DriftReferenceBuilder b = new DriftReferenceBuilder();
        assertThatThrownBy(() -> b.build("none", "shapes", "1")).isInstanceOf(IllegalStateException.class)
                .hasMessage("a drift reference needs at least one prediction, found none");
        assertThatThrownBy(() -> b.add("circle", 1.5, new float[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a top-1 score in [0, 1], found 1.5 for circle");
        b.add("circle", 0.9, new float[] {1, 2, 3});
        assertThatThrownBy(() -> b.add("circle", 0.9, new float[] {1, 2})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected every image to have an embedding of 3 dimensions, found 2 at image 2");
        assertThat(b.count()).isEqualTo(1);
    }
}
