package dev.retina.streams.dashboard;

import java.time.Duration;
import java.util.Objects;

/**
 * How much the dashboard keeps and how fast it works.
 *
 * @param thumbnails          classified images kept and shown (dashboard.thumbnails)
 * @param thumbnailSide       longest side of a thumbnail, pixels
 * @param thumbnailsPerSecond thumbnails made per second at most; images over the rate are shown without one
 * @param feedCapacity        the bounded hand-off between stream threads and the dashboard; a full feed drops
 *                            (and counts) events instead of waiting
 * @param tick                how often throughput and latency are published
 * @param sse                 bounds of the Server-Sent Events clients
 */
public record DashboardSettings(int thumbnails, int thumbnailSide, int thumbnailsPerSecond, int feedCapacity,
                                Duration tick, SseBroadcaster.Limits sse) {

    /** Kept points of the throughput chart (five minutes at one per second). */
    public static final int TICKS_KEPT = 300;
    /** Kept dead-letter messages. */
    public static final int DEAD_LETTERS_KEPT = 20;
    /** Kept statistics windows. */
    public static final int WINDOWS_KEPT = 60;
    /** Kept model history events. */
    public static final int MODEL_EVENTS_KEPT = 30;

    public DashboardSettings {
        Objects.requireNonNull(tick, "tick");
        Objects.requireNonNull(sse, "sse");
        if (thumbnails < 1 || thumbnailsPerSecond < 1 || feedCapacity < 1) {
            throw new IllegalArgumentException("expected thumbnails, thumbnailsPerSecond and feedCapacity >= 1, "
                + "found " + thumbnails + ", " + thumbnailsPerSecond + " and " + feedCapacity);
        }
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("expected a positive tick, found " + tick);
        }
    }

    /** {@code thumbnails} images, 96 px thumbnails at most 20 per second, a 4096-event feed, one tick a second. */
    public static DashboardSettings defaults(int thumbnails) {
        return new DashboardSettings(thumbnails, 96, 20, 4096, Duration.ofSeconds(1), SseBroadcaster.Limits.defaults());
    }
}
