package dev.retina.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LatencyWindowTest {

    @Test
    void nearestRankPercentiles() {
        LatencyWindow w = new LatencyWindow(1000);
        for (int i = 100; i >= 1; i--) {
            w.add(i);
        }
        assertThat(w.percentile(0.5)).isEqualTo(50);
        assertThat(w.percentile(0.99)).isEqualTo(99);
        assertThat(w.percentile(1.0)).isEqualTo(100);
        w.reset();
        assertThat(w.percentile(0.5)).isZero();
    }

    @Test
    void keepsTheFirstValuesUpToItsCapacityAndIgnoresNonFiniteOnes() {
        LatencyWindow w = new LatencyWindow(3);
        w.add(5);
        w.add(Double.NaN);
        w.add(1);
        w.add(3);
        w.add(1000);
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.percentile(1.0)).isEqualTo(5);
        assertThatThrownBy(() -> w.percentile(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("(0, 1]");
    }
}
