package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThreadFailurePolicyTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<Duration> waits = new ArrayList<>();

    private ThreadFailurePolicy policy() {
        return new ThreadFailurePolicy("node-1", clock::get, waits::add);
    }

    @Test
    void replacesTheThreadAfterADelayThatDoublesUpToTheCap() {
        ThreadFailurePolicy policy = policy();
        for (int i = 0; i < 8; i++) {
            assertThat(policy.handle(new IllegalStateException("registry down")))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.addAndGet(Duration.ofSeconds(40).toNanos());
        }
        assertThat(waits).extracting(Duration::toMillis)
            .containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L);
    }

    @Test
    void aQuietPeriodResetsTheDelay() {
        ThreadFailurePolicy policy = policy();
        policy.handle(new RuntimeException("a"));
        policy.handle(new RuntimeException("b"));
        clock.addAndGet(ThreadFailurePolicy.WINDOW.plusSeconds(1).toNanos());
        policy.handle(new RuntimeException("c"));
        assertThat(waits).extracting(Duration::toMillis).containsExactly(1000L, 2000L, 1000L);
    }

    @Test
    void interruptedWaitShutsTheClientDown() {
        ThreadFailurePolicy policy = new ThreadFailurePolicy("node-1", clock::get, d -> {
            throw new InterruptedException("closing");
        });
        assertThat(policy.handle(new RuntimeException("x"))).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(Thread.interrupted()).isTrue();
    }
}
