package dev.retina.cli;

import java.util.concurrent.locks.LockSupport;

/**
 * Spaces events at a fixed rate from a start time: event {@code n} is due {@code n / rate} seconds after
 * {@link #start()}. Waiting for a due time that has passed returns at once, so a slow event is followed by a
 * catch-up burst and the average rate holds. Not thread-safe.
 */
final class Pacer {

    private final double perSecond;
    private long start;

    /** @param perSecond events per second, or {@code <= 0} for no pacing */
    Pacer(double perSecond) {
        if (Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("expected a finite rate, found " + perSecond);
        }
        this.perSecond = perSecond;
        this.start = System.nanoTime();
    }

    /** Restarts the schedule now. */
    void start() {
        start = System.nanoTime();
    }

    /** Waits until event {@code n} (0-based) is due. */
    void awaitTurn(long n) throws InterruptedException {
        if (perSecond <= 0) {
            return;
        }
        long due = start + (long) (n * 1e9 / perSecond);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while pacing at " + perSecond + " per second");
            }
        }
    }
}
