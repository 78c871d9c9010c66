package dev.retina.engine.train;

import java.util.List;
import java.util.Locale;

/**
 * Counts of (true class, predicted class) pairs. Row = true class, column = predicted class, in label
 * order. Not thread-safe; fill it from one thread.
 */
public final class ConfusionMatrix {

    private final List<String> labels;
    private final long[][] counts;
    private long total;
    private long correct;

    public ConfusionMatrix(List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a confusion matrix needs at least one class");
        }
        this.labels = List.copyOf(labels);
        this.counts = new long[labels.size()][labels.size()];
    }

    /** Records one prediction. */
    public void add(int actual, int predicted) {
        if (actual < 0 || actual >= labels.size() || predicted < 0 || predicted >= labels.size()) {
            throw new IllegalArgumentException("class indices must be in [0, " + labels.size() + "), found actual "
                    + actual + " predicted " + predicted);
        }
        counts[actual][predicted]++;
        total++;
        if (actual == predicted) {
            correct++;
        }
    }

    public List<String> labels() {
        return labels;
    }

    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    public long total() {
        return total;
    }

    public long correct() {
        return correct;
    }

    /** Fraction of correct predictions, 0 when empty. */
    public double accuracy() {
        return total == 0 ? 0 : (double) correct / total;
    }

    /** Recall of one class (correct / actual), NaN when the class never occurred. */
    public double recall(int actual) {
        long row = 0;
        for (long c : counts[actual]) {
            row += c;
        }
        return row == 0 ? Double.NaN : (double) counts[actual][actual] / row;
    }

    /**
     * A text table: one row per true class with its counts per predicted class and its recall; columns are
     * numbered by class index, and each row starts with its index and name.
     */
    public String format() {
        int width = Math.max(5, Long.toString(total).length() + 1);
        int nameWidth = 4;
        for (String l : labels) {
            nameWidth = Math.max(nameWidth, l.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + (nameWidth + 5) + "s", "true\\pred"));
        for (int j = 0; j < labels.size(); j++) {
            sb.append(String.format(Locale.ROOT, "%" + width + "d", j));
        }
        sb.append("  recall\n");
        for (int i = 0; i < labels.size(); i++) {
            sb.append(String.format(Locale.ROOT, "%3d %-" + (nameWidth + 1) + "s", i, labels.get(i)));
            for (int j = 0; j < labels.size(); j++) {
                sb.append(String.format(Locale.ROOT, "%" + width + "d", counts[i][j]));
            }
            double r = recall(i);
            sb.append(Double.isNaN(r) ? "       -" : String.format(Locale.ROOT, "  %.4f", r)).append('\n');
        }
        return sb.toString();
    }
}
