package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddingMomentsTest {

    @Test
    void handComputedMeanVarianceAndNorm() {
        EmbeddingMoments e = new EmbeddingMoments(2);
        e.add(new float[] {1, 2});
        e.add(new float[] {3, 4});
        e.add(new float[] {5, 0});
        // mean (3, 2); deviations dim0: -2 0 2, dim1: 0 2 -2 -> population variance 8/3 each
        assertThat(e.count()).isEqualTo(3);
        assertThat(e.mean()).containsExactly(new double[] {3, 2}, within(1e-15));
        assertThat(e.variance()).containsExactly(new double[] {8.0 / 3, 8.0 / 3}, within(1e-14));
        // norms sqrt(5), 5, 5
        assertThat(e.meanL2Norm()).isCloseTo((Math.sqrt(5) + 10) / 3, within(1e-15));
    }

    @Test
    void mergedChunksMatchDirectComputation() {
        Random rnd = new Random(7);
        int dim = 16;
        int n = 5000;
        float[][] vs = new float[n][dim];
        for (float[] v : vs) {
            for (int d = 0; d < dim; d++) {
                v[d] = (float) (d - 8 + (d + 1) * rnd.nextGaussian());
            }
        }
        double[] mean = new double[dim];
        double[] variance = new double[dim];
        double norm = 0;
        for (float[] v : vs) {
            double sq = 0;
            for (int d = 0; d < dim; d++) {
                mean[d] += v[d];
                sq += (double) v[d] * v[d];
            }
            norm += Math.sqrt(sq);
        }
        for (int d = 0; d < dim; d++) {
            mean[d] /= n;
        }
        for (float[] v : vs) {
            for (int d = 0; d < dim; d++) {
                variance[d] += (v[d] - mean[d]) * (v[d] - mean[d]);
            }
        }
        for (int d = 0; d < dim; d++) {
            variance[d] /= n;
        }
        norm /= n;

        EmbeddingMoments merged = new EmbeddingMoments(dim);
        int i = 0;
        while (i < n) {
            int end = Math.min(n, i + 1 + rnd.nextInt(700));
            EmbeddingMoments chunk = new EmbeddingMoments(dim);
            for (; i < end; i++) {
                chunk.add(vs[i]);
            }
            merged.merge(chunk);
        }
        assertThat(merged.count()).isEqualTo(n);
        assertThat(merged.mean()).containsExactly(mean, within(1e-9));
        assertThat(merged.variance()).containsExactly(variance, within(1e-9));
        assertThat(merged.meanL2Norm()).isCloseTo(norm, within(1e-9));
    }

    @Test
    void refusesWrongDimensionsAndValues() {
        EmbeddingMoments e = new EmbeddingMoments(3);
        assertThatThrownBy(() -> e.add(new float[] {1, 2})).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("expected an embedding of dimension 3, found 2");
        assertThatThrownBy(() -> e.add(new float[] {1, Float.NaN, 2})).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("finite");
        assertThatThrownBy(() -> e.merge(new EmbeddingMoments(4))).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cannot merge embedding moments of dimension 4 into dimension 3");
        assertThatThrownBy(() -> new EmbeddingMoments(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("found 0");
        assertThat(e.count()).isZero();
    }

    @Test
    void serializationRoundTrip() {
        EmbeddingMoments e = new EmbeddingMoments(2);
        e.add(new float[] {1, 2});
        e.add(new float[] {3, 4});
        StatsWriter out = new StatsWriter(8);
        e.writeTo(out);
        StatsReader in = new StatsReader(out.toByteArray());
        EmbeddingMoments back = EmbeddingMoments.readFrom(in);
        in.requireEnd();
        assertThat(back.count()).isEqualTo(2);
        assertThat(back.mean()).containsExactly(2, 3);
        assertThat(back.variance()).containsExactly(1, 1);
        assertThat(back.meanL2Norm()).isEqualTo(e.meanL2Norm());
    }

    @Test
    void readRefusesHugeDimensionWithoutAllocating() {
        StatsWriter out = new StatsWriter(8);
        out.writeVarLong(60_000);
        out.writeVarLong(1);
        assertThatThrownBy(() -> EmbeddingMoments.readFrom(new StatsReader(out.toByteArray())))
            .isInstanceOf(StatsFormatException.class).hasMessageContaining("truncated: embedding of dimension 60000");
    }
}
