package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InferenceRunnerTest {

    private static final Tensor INPUT = Tensor.of(Shape.of(1, 2), new float[] {1, 2});

    @Test
    void returnsTheResultOfThePass() throws Exception {
        try (InferenceRunner runner = new InferenceRunner(1, Duration.ofSeconds(5))) {
            Tensor out = runner.run(in -> Tensor.of(Shape.of(1, 2), new float[] {in.data()[1], in.data()[0]}), INPUT);
            assertThat(out.data()).containsExactly(2f, 1f);
        }
    }

    @Test
    void failureOfThePassIsWrapped() {
        try (InferenceRunner runner = new InferenceRunner(1, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> runner.run(in -> {
                throw new IllegalArgumentException("bad input");
            }, INPUT)).isInstanceOf(ExecutionException.class).hasRootCauseMessage("bad input");
        }
    }

    @Test
    void slowPassTimesOutAndIsInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        try (InferenceRunner runner = new InferenceRunner(1, Duration.ofMillis(100))) {
            assertThatThrownBy(() -> runner.run(in -> {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return in;
            }, INPUT)).isInstanceOf(TimeoutException.class);
            assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void overduePassesThatIgnoreInterruptsDoNotQueueNewOnes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean stuck = new AtomicBoolean(true);
        try (InferenceRunner runner = new InferenceRunner(1, Duration.ofMillis(50))) {
            assertThatThrownBy(() -> runner.run(in -> {
                while (stuck.get()) { // ignores interrupts, like a long native call
                    try {
                        release.await(10, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException ignored) {
                        // keep running past the deadline
                    }
                }
                return in;
            }, INPUT)).isInstanceOf(TimeoutException.class);
            assertThat(runner.inFlight()).isEqualTo(1);
            assertThatThrownBy(() -> runner.run(in -> in, INPUT)).isInstanceOf(RejectedExecutionException.class);
        } finally {
            stuck.set(false);
            release.countDown();
        }
    }

    @Test
    void backToBackPassesNeverRunOutOfSlots() throws Exception {
        // A pass's slot is free again as soon as the pass ends, even if its thread has not yet returned to the
        // pool's queue: a long series of immediate passes from one caller, with one slot, is never refused.
        try (InferenceRunner runner = new InferenceRunner(1, Duration.ofSeconds(5))) {
            for (int i = 0; i < 20_000; i++) {
                assertThat(runner.run(in -> in, INPUT)).isSameAs(INPUT);
            }
            assertThat(runner.inFlight()).isZero();
        }
    }

    @Test
    void slotIsFreedWhenTheOverduePassFinallyEnds() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        try (InferenceRunner runner = new InferenceRunner(1, Duration.ofMillis(50))) {
            assertThatThrownBy(() -> runner.run(in -> {
                try {
                    while (!finish.await(10, TimeUnit.MILLISECONDS)) {
                        Thread.interrupted(); // ignores its interrupt and runs past the deadline
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    ended.countDown();
                }
                return in;
            }, INPUT)).isInstanceOf(TimeoutException.class);
            assertThat(runner.inFlight()).isEqualTo(1);

            finish.countDown();
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> runner.inFlight() == 0);
            assertThat(runner.run(in -> in, INPUT)).isSameAs(INPUT);
        }
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new InferenceRunner(0, Duration.ofSeconds(1)))
            .hasMessageContaining("maxInFlight must be >= 1, found 0");
        assertThatThrownBy(() -> new InferenceRunner(1, Duration.ZERO)).hasMessageContaining("timeout must be > 0");
    }
}
