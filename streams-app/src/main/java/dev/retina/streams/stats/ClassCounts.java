package dev.retina.streams.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How often each class label occurred; mergeable by adding counts. Keyed by label rather than class index so that
 * a reference distribution written for one label list still lines up with the window.
 */
public final class ClassCounts {

    /** Largest number of distinct labels accepted when reading serialized state. */
    static final int MAX_LABELS = 1 << 20;

    private final Map<String, Long> counts = new HashMap<>();
    private long total;

    /** Counts one occurrence of {@code label}. */
    public void add(String label) {
        add(label, 1);
    }

    /** Counts {@code n >= 0} occurrences of {@code label}. */
    public void add(String label, long n) {
        if (label == null) {
            throw new IllegalArgumentException("class label must not be null");
        }
        if (n < 0) {
            throw new IllegalArgumentException("class count must be >= 0, found " + n + " for '" + label + "'");
        }
        if (n > 0) {
            counts.merge(label, n, Long::sum);
            total += n;
        }
    }

    public void merge(ClassCounts other) {
        other.counts.forEach(this::add);
    }

    /** Sum of all counts. */
    public long total() {
        return total;
    }

    /** Count of {@code label}, 0 if never seen. */
    public long count(String label) {
        return counts.getOrDefault(label, 0L);
    }

    /** Labels with their counts, largest count first, ties by label. */
    public List<Map.Entry<String, Long>> ranked() {
        List<Map.Entry<String, Long>> list = new ArrayList<>(counts.entrySet());
        list.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()));
        return list.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    /** Proportion of each seen label ({@code count / total}), sorted by label; empty when nothing was counted. */
    public Map<String, Double> proportions() {
        Map<String, Double> p = new TreeMap<>();
        counts.forEach((label, n) -> p.put(label, (double) n / total));
        return p;
    }

    /** Layout: var-long number of labels, then per label sorted by label: string label, var-long count. */
    void writeTo(StatsWriter out) {
        out.writeVarLong(counts.size());
        for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
            out.writeString(e.getKey());
            out.writeVarLong(e.getValue());
        }
    }

    static ClassCounts readFrom(StatsReader in, String what) {
        ClassCounts c = new ClassCounts();
        int n = in.readCount(what + " label count", Math.min(MAX_LABELS, in.remaining()));
        for (int i = 0; i < n; i++) {
            String label = in.readString(what + " label");
            long count = in.readVarLong(what + " count");
            if (c.counts.containsKey(label)) {
                throw new StatsFormatException("expected distinct " + what + " labels, found '" + label + "' twice");
            }
            c.add(label, count);
        }
        return c;
    }

    @Override
    public String toString() {
        return "ClassCounts" + new TreeMap<>(counts);
    }
}
