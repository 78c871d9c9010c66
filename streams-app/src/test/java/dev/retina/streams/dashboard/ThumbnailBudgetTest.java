package dev.retina.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ThumbnailBudgetTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void atMostTheRatePerSecondRefilledOverTime() {
        ThumbnailBudget budget = new ThumbnailBudget(3, 1_000_000, now::get);
        assertThat(budget.tryTake(10)).isTrue();
        assertThat(budget.tryTake(10)).isTrue();
        assertThat(budget.tryTake(10)).isTrue();
        assertThat(budget.tryTake(10)).as("fourth within the same second").isFalse();
        now.addAndGet(Duration.ofMillis(340).toNanos());
        assertThat(budget.tryTake(10)).as("a third of a second refills one").isTrue();
        assertThat(budget.tryTake(10)).isFalse();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        for (int i = 0; i < 3; i++) {
            assertThat(budget.tryTake(10)).isTrue();
        }
        assertThat(budget.tryTake(10)).as("the bucket holds one second's worth only").isFalse();
    }

    @Test
    void bytesHeldAreCappedAndReturnedOnRelease() {
        ThumbnailBudget budget = new ThumbnailBudget(100, 1000, now::get);
        assertThat(budget.tryTake(600)).isTrue();
        assertThat(budget.tryTake(600)).as("would hold 1200 bytes").isFalse();
        assertThat(budget.tryTake(400)).isTrue();
        assertThat(budget.heldBytes()).isEqualTo(1000);
        budget.release(600);
        assertThat(budget.tryTake(600)).isTrue();
        assertThat(budget.tryTake(2000)).as("larger than the whole budget").isFalse();
    }

    @Test
    void limitsAreChecked() {
        assertThatThrownBy(() -> new ThumbnailBudget(0, 10, now::get))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("perSecond >= 1");
    }
}
