package dev.retina.streams;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.LongSupplier;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies. Bad records never get here (the exception handlers dead-letter them);
 * what does is an outage (schema registry unreachable, a dead letter that cannot be written) or a bug. The thread is
 * replaced, and the replacement resumes from the last commit, so no record is lost. To keep an outage from turning
 * into a hot loop of failing threads, the replacement is delayed: 1 s after the first failure, doubling with every
 * further failure within {@link #WINDOW} of the previous one, at most {@link #MAX_DELAY}.
 *
 * <p>The delay runs on the dying thread, before Kafka Streams starts the replacement.
 */
final class ThreadFailurePolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadFailurePolicy.class);

    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofSeconds(30);
    static final Duration WINDOW = Duration.ofMinutes(5);

    /** Waits between failure and replacement; {@link Thread#sleep(long)} in production. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final String instanceId;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final Deque<Long> recentFailures = new ArrayDeque<>();

    ThreadFailurePolicy(String instanceId, LongSupplier nanoTime, Sleeper sleeper) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    static ThreadFailurePolicy systemDefault(String instanceId) {
        return new ThreadFailurePolicy(instanceId, System::nanoTime, d -> Thread.sleep(d.toMillis()));
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        Duration delay = nextDelay();
        LOG.error("A stream thread of instance {} failed; replacing it in {} ms (it resumes from the last commit)",
            instanceId, delay.toMillis(), exception);
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while waiting to replace a failed stream thread; shutting instance {} down",
                instanceId);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Records a failure now and returns how long to wait before replacing the thread. */
    synchronized Duration nextDelay() {
        long now = nanoTime.getAsLong();
        Long last = recentFailures.peekLast();
        if (last != null && now - last > WINDOW.toNanos()) {
            recentFailures.clear();
        }
        recentFailures.addLast(now);
        int streak = recentFailures.size();
        if (streak > 32) {
            recentFailures.removeFirst();
        }
        long millis = FIRST_DELAY.toMillis() << Math.min(streak - 1, 20);
        return Duration.ofMillis(Math.min(millis, MAX_DELAY.toMillis()));
    }
}
