package dev.retina.streams.dashboard;

import java.util.function.LongSupplier;

/**
 * Decides on the stream thread, in a few nanoseconds, whether an image gets a thumbnail: at most {@code perSecond}
 * (a token bucket that holds one second's worth) and at most {@code maxBytes} of encoded images waiting for the
 * dispatcher at any time. Thread-safe; the lock is held only for the arithmetic.
 */
final class ThumbnailBudget {

    private final double perSecond;
    private final long maxBytes;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastRefill;
    private long heldBytes;

    ThumbnailBudget(int perSecond, long maxBytes, LongSupplier nanoClock) {
        if (perSecond < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("expected perSecond >= 1 and maxBytes >= 1, found " + perSecond
                + " and " + maxBytes);
        }
        this.perSecond = perSecond;
        this.maxBytes = maxBytes;
        this.nanoClock = nanoClock;
        this.tokens = perSecond;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** Takes a token and reserves {@code bytes}; false (nothing taken) when either is exhausted. */
    synchronized boolean tryTake(long bytes) {
        long now = nanoClock.getAsLong();
        tokens = Math.min(perSecond, tokens + (now - lastRefill) / 1e9 * perSecond);
        lastRefill = now;
        if (tokens < 1 || bytes > maxBytes - heldBytes) {
            return false;
        }
        tokens -= 1;
        heldBytes += bytes;
        return true;
    }

    /** Returns the bytes of a thumbnail made (or failed). */
    synchronized void release(long bytes) {
        heldBytes = Math.max(0, heldBytes - bytes);
    }

    synchronized long heldBytes() {
        return heldBytes;
    }
}
