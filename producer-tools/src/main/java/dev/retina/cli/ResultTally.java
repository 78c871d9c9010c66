package dev.retina.cli;

import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Accounts for every record of a synthetic run ({@link SyntheticProducer#plan()}) against what the pipeline wrote:
 * results and dead letters, matched by record key (results and dead letters keep the input key).
 *
 * <ul>
 *   <li>{@code produced}: planned records the broker acknowledged (all planned ones minus {@link #notProduced});</li>
 *   <li>{@code classified}: produced records with at least one result; {@code deadLettered}: produced records
 *       with at least one dead letter and no result;</li>
 *   <li>{@code duplicates}: answers beyond the first per record (a second result, a second dead letter, or both
 *       a result and a dead letter);</li>
 *   <li>{@code lost}: produced records with no answer yet (at the end of a run, records that never got one);</li>
 *   <li>{@code accuracy}: share of classified labelled images whose first result's top-1 label is the ground
 *       truth; {@code wrongReason}: dead letters of malformed records whose reason differs from the expected
 *       one; {@code unexpected}: answers whose key was never planned (another producer on the topic).</li>
 *   <li>{@code p50EndToEndMillis}, {@code p99EndToEndMillis}: nearest-rank percentiles of the end-to-end time
 *       the first result of each image reports (record timestamp to result), NaN before the first result.</li>
 * </ul>
 * Thread-safe.
 */
public final class ResultTally {

    /**
     * The counts at one moment.
     *
     * @param accuracy top-1 accuracy in [0, 1], or NaN when no labelled image was classified
     */
    public record Snapshot(int produced, int classified, int deadLettered, int lost, int duplicates,
                           double accuracy, int unexpected, int wrongReason, Map<ErrorReason, Integer> reasons,
                           double p50EndToEndMillis, double p99EndToEndMillis) {

        /** Every produced record has an answer. */
        public boolean complete() {
            return lost == 0;
        }

        /** The final summary line's keys and values: {@code produced=N classified=C ... images_per_s=T}. */
        public String summaryLine(double imagesPerSecond) {
            return String.format(java.util.Locale.ROOT,
                    "produced=%d classified=%d dead_lettered=%d lost=%d duplicates=%d accuracy=%s images_per_s=%.1f",
                    produced, classified, deadLettered, lost, duplicates,
                    Double.isNaN(accuracy) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", accuracy),
                    imagesPerSecond);
        }
    }

    private static final class Entry {
        final SyntheticProducer.Item item;
        boolean produced = true;
        int results;
        int deadLetters;
        Boolean correct;

        Entry(SyntheticProducer.Item item) {
            this.item = item;
        }
    }

    private final Map<String, Entry> byKey = new HashMap<>();
    private final Map<ErrorReason, Integer> reasons = new EnumMap<>(ErrorReason.class);
    private final List<Double> endToEndMillis = new ArrayList<>();
    private int unexpected;
    private int wrongReason;

    /** A tally expecting every record of {@code plan}. */
    public ResultTally(List<SyntheticProducer.Item> plan) {
        for (SyntheticProducer.Item item : plan) {
            if (byKey.put(item.key(), new Entry(item)) != null) {
                throw new IllegalArgumentException("expected unique record keys in the plan, found " + item.key()
                        + " twice");
            }
        }
    }

    /** The broker did not take this record, so no answer is owed for it. */
    public synchronized void notProduced(SyntheticProducer.Item item) {
        Entry e = byKey.get(item.key());
        if (e != null) {
            e.produced = false;
        }
    }

    /** A result read for record {@code key}. */
    public synchronized void result(String key, ClassificationResult result) {
        Entry e = byKey.get(key);
        if (e == null) {
            unexpected++;
            return;
        }
        e.results++;
        if (e.results == 1) {
            endToEndMillis.add(result.getTimings().getEndToEndMillis());
        }
        if (e.results == 1 && e.item.label() != null) {
            e.correct = !result.getTopK().isEmpty() && e.item.label().equals(result.getTopK().get(0).getLabel());
        }
    }

    /** A dead letter read for record {@code key} (null for a record without key). */
    public synchronized void deadLetter(String key, DeadLetter letter) {
        Entry e = key == null ? null : byKey.get(key);
        if (e == null) {
            unexpected++;
            return;
        }
        e.deadLetters++;
        reasons.merge(letter.getReason(), 1, Integer::sum);
        if (e.deadLetters == 1 && e.item.kind() != null && e.item.kind().expectedReason() != letter.getReason()) {
            wrongReason++;
        }
    }

    /** The counts now. */
    public synchronized Snapshot snapshot() {
        int produced = 0;
        int classified = 0;
        int deadLettered = 0;
        int duplicates = 0;
        int lost = 0;
        int labelled = 0;
        int correct = 0;
        for (Entry e : byKey.values()) {
            int answers = e.results + e.deadLetters;
            duplicates += Math.max(0, answers - 1);
            if (!e.produced) {
                continue;
            }
            produced++;
            if (e.results > 0) {
                classified++;
            } else if (e.deadLetters > 0) {
                deadLettered++;
            } else {
                lost++;
            }
            if (e.correct != null) {
                labelled++;
                correct += e.correct ? 1 : 0;
            }
        }
        double accuracy = labelled == 0 ? Double.NaN : (double) correct / labelled;
        double[] latencies = endToEndMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Snapshot(produced, classified, deadLettered, lost, duplicates, accuracy, unexpected, wrongReason,
                Map.copyOf(reasons), percentile(latencies, 0.50), percentile(latencies, 0.99));
    }

    /** Nearest-rank percentile of sorted values, NaN when there are none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The planned item of {@code key}, if any. */
    public synchronized SyntheticProducer.Item item(String key) {
        Entry e = byKey.get(Objects.requireNonNull(key, "key"));
        return e == null ? null : e.item;
    }
}
