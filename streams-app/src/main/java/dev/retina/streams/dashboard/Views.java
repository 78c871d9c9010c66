package dev.retina.streams.dashboard;

import java.util.List;
import java.util.Map;

/**
 * The JSON shapes the dashboard page reads (snapshot and events). Times are milliseconds since the Unix epoch,
 * durations milliseconds. Field names are the page's contract: change them together with dashboard.js.
 */
public final class Views {

    private Views() {
    }

    /**
     * One classified image.
     *
     * @param thumbnail  a {@code data:image/jpeg;base64,...} URI at most the configured size on its longer side, or
     *                   null when thumbnails were over their rate or the image could not be made smaller
     * @param thumbError why there is no thumbnail, or null
     */
    public record ImageCard(long seq, String imageId, String source, String label, double score, String modelVersion,
                            double endToEndMillis, double inferenceMillis, int partition, long offset,
                            String groundTruth, long classifiedAt, String thumbnail, String thumbError) {
    }

    /** Throughput and latency over the last second. Latencies are NaN-free: 0 when nothing was classified. */
    public record Tick(long at, double imagesPerSecond, double p50Millis, double p99Millis, double inferenceP50Millis,
                       double inferenceP99Millis, long classified, long deadLetters, long feedDropped,
                       int clients) {
    }

    /** One dead letter, without the original bytes. */
    public record DeadLetterEntry(long seq, String reason, String stage, String message, String topic, int partition,
                                  long offset, long failedAt) {
    }

    /** Dead letters seen by this instance: counts by reason code and the latest entries, newest last. */
    public record DeadLetters(Map<String, Long> counts, List<DeadLetterEntry> latest) {
    }

    /** One entry of the model reload history. */
    public record ModelEvent(long at, String version, String outcome, String reason, String message, String origin) {
    }

    /**
     * The served model and how it got there.
     *
     * @param reloading whether versions are hot-reloaded (false: a fixed model.dir)
     * @param pinned    the pinned version, or null
     */
    public record ModelState(String name, String version, String sha256, boolean reloading, String pinned,
                             List<ModelEvent> history) {
    }

    /** One closed statistics window of one model version, from the stats topic. */
    public record StatsWindow(long windowStart, long windowEnd, String modelName, String modelVersion, long count,
                              Map<String, Long> classCounts, double confidenceMean, double confidenceP50,
                              double confidenceP95, long lowConfidence, Double accuracy, long labelled,
                              Double psiClass, Double psiConfidence, Double psiThreshold, boolean drift,
                              double latencyP50Millis, double latencyP99Millis) {
    }

    /** Windows read so far (oldest first) and whether the reader is connected to the stats topic. */
    public record Stats(String topic, String status, List<StatsWindow> windows) {
    }

    /** One stream thread of this instance and the input partitions of its active and standby tasks. */
    public record StreamThread(String name, String state, List<String> activeTasks, List<String> activePartitions,
                               List<String> standbyPartitions) {
    }

    /** One member of the application's consumer group, as the group coordinator describes it. */
    public record GroupMember(String clientId, String host, List<String> partitions) {
    }

    /**
     * This instance and the group it belongs to.
     *
     * @param members the group's members, empty until the first description arrives or when it cannot be read
     * @param groupNote why members are missing, or null
     */
    public record Instance(String instanceId, String applicationId, String streamsState, List<StreamThread> threads,
                           List<GroupMember> members, String groupNote) {
    }

    /** Everything the page needs to draw itself at once. */
    public record Snapshot(long seq, int thumbnails, Instance instance, ModelState model, List<ImageCard> images,
                           List<Tick> ticks, DeadLetters deadLetters, Stats stats) {
    }
}
