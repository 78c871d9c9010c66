package dev.retina.cli;

import dev.retina.schemas.avro.FeatureStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's check of its statistics windows against the classifications it read: a window of a model version must
 * count exactly the classified images of that version whose event time (the result record's timestamp, copied from
 * the image record) lies in {@code [windowStart, windowEnd)}, no more (double counting) and no fewer (gaps), except
 * images that reached the app after their window had closed: those must be in the late counts of the windows emitted
 * after them instead. Each image counts once, at its first result. Thread-safe: results and windows arrive on
 * different threads.
 */
final class WindowCheck {

    /** What the check found. */
    record Summary(int windows, long windowImages, long late, List<String> mismatches, long openImages,
                   Instant openFrom) {
    }

    private record Seen(String model, long timestamp) {
    }

    private static boolean covers(FeatureStats w, Seen s) {
        return s.model().equals(w.getModelName() + ":" + w.getModelVersion())
                && s.timestamp() >= w.getWindowStart().toEpochMilli() && s.timestamp() < w.getWindowEnd().toEpochMilli();
    }

    private final Duration window;
    private final Map<String, Seen> results = new HashMap<>();
    private final List<FeatureStats> windows = new ArrayList<>();

    /** @param window the app's window size, to name the start of a window that is still open */
    WindowCheck(Duration window) {
        this.window = window;
    }

    synchronized void result(String imageKey, String modelName, String modelVersion, long timestamp) {
        results.putIfAbsent(imageKey, new Seen(modelName + ":" + modelVersion, timestamp));
    }

    synchronized void window(FeatureStats stats) {
        windows.add(stats);
    }

    /**
     * Whether every window that must have closed by now has been received: for each model version, every window
     * holding a classified image whose end plus {@code grace} lies before the latest event time read (the app's
     * stream time for that model version once it has processed everything read here).
     */
    synchronized boolean closedWindowsReceived(Duration grace) {
        Map<String, Long> streamTime = new HashMap<>();
        results.values().forEach(s -> streamTime.merge(s.model(), s.timestamp(), Math::max));
        for (Seen s : results.values()) {
            long start = s.timestamp() - Math.floorMod(s.timestamp(), window.toMillis());
            // Strictly before: whether a window closes at exactly end + grace is the app's detail, not waited for.
            if (start + window.toMillis() + grace.toMillis() < streamTime.get(s.model())
                    && windows.stream().noneMatch(w -> covers(w, s))) {
                return false;
            }
        }
        return true;
    }

    synchronized Summary summary() {
        List<String> mismatches = new ArrayList<>();
        Map<String, Long> closedUntil = new HashMap<>();
        long counted = 0;
        long shortfall = 0;
        long late = 0;
        for (FeatureStats w : windows) {
            String model = w.getModelName() + ":" + w.getModelVersion();
            long start = w.getWindowStart().toEpochMilli();
            long end = w.getWindowEnd().toEpochMilli();
            long seen = results.values().stream()
                    .filter(s -> s.model().equals(model) && s.timestamp() >= start && s.timestamp() < end).count();
            if (seen < w.getCount()) {
                mismatches.add("window " + model + " " + StatsTable.window(w.getWindowStart(), w.getWindowEnd())
                        + " counted " + w.getCount() + " images, the demo read only " + seen
                        + " classifications in it");
            }
            shortfall += Math.max(0, seen - w.getCount());
            late += w.getLateCount();
            counted += w.getCount();
            closedUntil.merge(model, end, Math::max);
        }
        long open = 0;
        long openFrom = Long.MAX_VALUE;
        long missing = 0;
        for (Seen s : results.values()) {
            if (s.timestamp() >= closedUntil.getOrDefault(s.model(), Long.MIN_VALUE)) {
                open++;
                openFrom = Math.min(openFrom, s.timestamp() - Math.floorMod(s.timestamp(), window.toMillis()));
            } else if (windows.stream().noneMatch(w -> covers(w, s))) {
                missing++;
            }
        }
        if (shortfall != late) {
            mismatches.add(shortfall + " classified images are missing from the count of their window, and " + late
                    + " were reported late");
        }
        if (missing > 0) {
            mismatches.add(missing + " classifications fall before the last emitted window of their model version"
                    + " but in no emitted window");
        }
        return new Summary(windows.size(), counted, late, mismatches, open,
                open == 0 ? null : Instant.ofEpochMilli(openFrom));
    }
}
