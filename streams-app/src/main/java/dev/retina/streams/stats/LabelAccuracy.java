package dev.retina.streams.stats;

import java.util.Map;
import java.util.TreeMap;

/**
 * For images that carried a ground-truth label: per ground-truth label, how many there were and how many of them
 * were classified as that label (top-1). Accuracy is {@code correct / labelled} over all labels; the recall of a
 * label is its own {@code correct / labelled}. Mergeable by adding counts.
 */
public final class LabelAccuracy {

    /** Tally of one ground-truth label. */
    public record Tally(long labelled, long correct) {

        public Tally {
            if (labelled < 0 || correct < 0 || correct > labelled) {
                throw new IllegalArgumentException("expected 0 <= correct <= labelled, found correct=" + correct
                    + " labelled=" + labelled);
            }
        }

        /** {@code correct / labelled}, 0 when nothing was labelled. */
        public double recall() {
            return labelled == 0 ? 0 : (double) correct / labelled;
        }

        Tally plus(Tally o) {
            return new Tally(labelled + o.labelled, correct + o.correct);
        }
    }

    private final Map<String, Tally> byLabel = new TreeMap<>();
    private long labelled;
    private long correct;

    /** Records one labelled image: its ground truth and whether the top-1 label matched it. */
    public void add(String groundTruth, boolean wasCorrect) {
        add(groundTruth, new Tally(1, wasCorrect ? 1 : 0));
    }

    private void add(String groundTruth, Tally t) {
        if (groundTruth == null) {
            throw new IllegalArgumentException("ground-truth label must not be null");
        }
        byLabel.merge(groundTruth, t, Tally::plus);
        labelled += t.labelled();
        correct += t.correct();
    }

    public void merge(LabelAccuracy other) {
        other.byLabel.forEach(this::add);
    }

    /** Number of labelled images. */
    public long labelled() {
        return labelled;
    }

    /** Number of labelled images classified correctly. */
    public long correct() {
        return correct;
    }

    /** {@code correct / labelled}, 0 when nothing was labelled. */
    public double accuracy() {
        return labelled == 0 ? 0 : (double) correct / labelled;
    }

    /** Tallies per ground-truth label, sorted by label (a copy). */
    public Map<String, Tally> byLabel() {
        return new TreeMap<>(byLabel);
    }

    /** Layout: var-long number of labels, then per label sorted: string label, var-long labelled, var-long correct. */
    void writeTo(StatsWriter out) {
        out.writeVarLong(byLabel.size());
        byLabel.forEach((label, t) -> {
            out.writeString(label);
            out.writeVarLong(t.labelled());
            out.writeVarLong(t.correct());
        });
    }

    static LabelAccuracy readFrom(StatsReader in) {
        LabelAccuracy a = new LabelAccuracy();
        int n = in.readCount("ground-truth label count", Math.min(ClassCounts.MAX_LABELS, in.remaining()));
        for (int i = 0; i < n; i++) {
            String label = in.readString("ground-truth label");
            long l = in.readVarLong("labelled count");
            long c = in.readVarLong("correct count");
            if (c > l || a.byLabel.containsKey(label)) {
                throw new StatsFormatException("expected distinct ground-truth labels with correct <= labelled, found '"
                    + label + "' correct=" + c + " labelled=" + l);
            }
            a.add(label, new Tally(l, c));
        }
        return a;
    }
}
