package dev.retina.cli;

import dev.retina.schemas.avro.AccuracySummary;
import dev.retina.schemas.avro.ClassCount;
import dev.retina.schemas.avro.ClassRecall;
import dev.retina.schemas.avro.ConfidenceSummary;
import dev.retina.schemas.avro.DriftSummary;
import dev.retina.schemas.avro.EntropySummary;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.InputSummary;
import dev.retina.schemas.avro.LatencySummary;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The readable form of one FeatureStats window, as {@code retina stats} and {@code retina demo} print it: a header
 * line (model version, source when statistics are kept per source, window in UTC, image count, late images), one
 * indented line per summary, and a bar chart of the top-1 class distribution. Entropy and the standardised embedding
 * shift appear when the record has them (FeatureStats v2). Layout, with the chart on:
 * <pre>
 * shapes:1  2026-11-26 16:00:00 - 16:01:00 UTC  images 120  late 0
 *   classes     circle 70, square 50
 *   confidence  mean 0.810  p50 0.840  p95 0.990  low 7 below 0.50  entropy 0.420
 *   accuracy    0.900  36 of 40 labelled  lowest recall square 0.850 (17 of 20)
 *   input       64x64  brightness 0.506  contrast 0.152
 *   latency     p50 12.5 ms  p99 48.0 ms  inference p50 9.5 ms  p99 40.3 ms
 *   drift       ok  psi class 0.040  confidence 0.020  threshold 0.20  embedding shift 0.110  standardised 0.130
 *               (threshold 0.50)     [one line]
 *   reference   first full window
 *   circle  ██████████████████████████████ 70  58.3%
 *   square  █████████████████████▍         50  41.7%
 * </pre>
 * Bars are scaled to the largest class, at most {@value #CHART_WIDTH} cells wide, in eighths of a cell with Unicode
 * block elements, or in whole {@code #} cells when the terminal cannot show them. At most
 * {@value #CHART_CLASSES} classes are charted; the rest are summed on one line.
 */
final class StatsTable {

    /** Classes named on the classes line. */
    static final int TOP_CLASSES = 3;
    /** Classes given a bar. */
    static final int CHART_CLASSES = 8;
    /** Cells of the longest bar. */
    static final int CHART_WIDTH = 30;
    /** Longest label printed in full in the chart. */
    static final int LABEL_WIDTH = 16;

    private static final String[] EIGHTHS = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    private static final String FULL = "█";
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern(".SSS", Locale.ROOT);

    private final boolean chart;
    private final boolean unicode;

    /**
     * @param chart   whether to draw the class bar chart
     * @param unicode bars of Unicode block elements; false draws them with {@code #}
     */
    StatsTable(boolean chart, boolean unicode) {
        this.chart = chart;
        this.unicode = unicode;
    }

    /** The lines of one window, without line separators. */
    List<String> render(FeatureStats s) {
        List<String> lines = new ArrayList<>();
        lines.add(s.getModelName() + ":" + s.getModelVersion()
                + (s.getSource() == null ? "" : "  source " + s.getSource())
                + "  " + window(s.getWindowStart(), s.getWindowEnd()) + "  images " + s.getCount()
                + "  late " + s.getLateCount());
        List<ClassCount> classes = ranked(s.getClassCounts());
        lines.add(row("classes", classes.isEmpty() ? "none" : topClasses(classes)));
        if (s.getCount() > 0) {
            lines.add(row("confidence", confidence(s.getConfidence(), s.getEntropy())));
        }
        lines.add(row("accuracy", accuracy(s.getAccuracy())));
        if (s.getCount() > 0) {
            lines.add(row("input", input(s.getInput())));
            lines.add(row("latency", latency(s.getLatency())));
        }
        lines.add(row("drift", drift(s.getDrift())));
        if (s.getDrift() != null) {
            lines.add(row("reference", s.getDrift().getReference()));
        }
        if (chart && !classes.isEmpty()) {
            chart(classes, s.getCount(), lines);
        }
        return lines;
    }

    /** The window as {@code 2026-11-26 16:00:00 - 16:01:00 UTC}; the end names its date only when it differs. */
    static String window(Instant start, Instant end) {
        ZonedDateTime from = start.atZone(ZoneOffset.UTC);
        ZonedDateTime to = end.atZone(ZoneOffset.UTC);
        boolean millis = from.getNano() != 0 || to.getNano() != 0;
        String a = DATE_TIME.format(from) + (millis ? MILLIS.format(from) : "");
        String b = (from.toLocalDate().equals(to.toLocalDate()) ? TIME.format(to) : DATE_TIME.format(to))
                + (millis ? MILLIS.format(to) : "");
        return a + " - " + b + " UTC";
    }

    private static String row(String name, String text) {
        return String.format(Locale.ROOT, "  %-11s %s", name, text);
    }

    /** Largest count first, then by label, whatever order the record holds. */
    private static List<ClassCount> ranked(List<ClassCount> counts) {
        List<ClassCount> sorted = new ArrayList<>(counts);
        sorted.sort(Comparator.comparingLong(ClassCount::getCount).reversed().thenComparing(ClassCount::getLabel));
        return sorted;
    }

    private static String topClasses(List<ClassCount> classes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(TOP_CLASSES, classes.size()); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(classes.get(i).getLabel()).append(' ').append(classes.get(i).getCount());
        }
        if (classes.size() > TOP_CLASSES) {
            b.append(", ").append(classes.size() - TOP_CLASSES).append(" more");
        }
        return b.toString();
    }

    private static String confidence(ConfidenceSummary c, EntropySummary entropy) {
        String text = String.format(Locale.ROOT, "mean %.3f  p50 %.3f  p95 %.3f  low %d below %.2f", c.getMean(),
                c.getP50(), c.getP95(), c.getLowConfidenceCount(), c.getLowConfidenceThreshold());
        return entropy == null ? text : text + String.format(Locale.ROOT, "  entropy %.3f", entropy.getMean());
    }

    private static String accuracy(AccuracySummary a) {
        if (a == null) {
            return "no labelled images";
        }
        String text = String.format(Locale.ROOT, "%.3f  %d of %d labelled", a.getAccuracy(), a.getCorrect(),
                a.getLabelledCount());
        if (a.getPerClassRecall().size() < 2) {
            return text;
        }
        // The class the model misses most is what a falling accuracy is usually about.
        ClassRecall worst = a.getPerClassRecall().stream()
                .min(Comparator.comparingDouble(ClassRecall::getRecall).thenComparing(ClassRecall::getLabel))
                .orElseThrow();
        if (worst.getCorrect() == worst.getLabelled()) {
            return text;
        }
        return text + String.format(Locale.ROOT, "  lowest recall %s %.3f (%d of %d)", worst.getLabel(),
                worst.getRecall(), worst.getCorrect(), worst.getLabelled());
    }

    /** Image size as {@code 64x64}, or ranges {@code 320-1024x240-768} when sizes vary; luma brightness, contrast. */
    private static String input(InputSummary in) {
        String width = in.getWidthMin() == in.getWidthMax() ? Integer.toString(in.getWidthMin())
                : in.getWidthMin() + "-" + in.getWidthMax();
        String height = in.getHeightMin() == in.getHeightMax() ? Integer.toString(in.getHeightMin())
                : in.getHeightMin() + "-" + in.getHeightMax();
        return String.format(Locale.ROOT, "%sx%s  brightness %.3f  contrast %.3f", width, height,
                in.getBrightnessMean(), in.getContrastMean());
    }

    private static String latency(LatencySummary l) {
        return String.format(Locale.ROOT, "p50 %.1f ms  p99 %.1f ms  inference p50 %.1f ms  p99 %.1f ms",
                l.getP50Millis(), l.getP99Millis(), l.getInferenceP50Millis(), l.getInferenceP99Millis());
    }

    private static String drift(DriftSummary d) {
        if (d == null) {
            return "no reference yet";
        }
        StringBuilder b = new StringBuilder(d.getDrift() ? "DRIFT" : "ok");
        b.append(String.format(Locale.ROOT, "  psi class %.3f  confidence %.3f  threshold %.2f", d.getPsiClass(),
                d.getPsiConfidence(), d.getPsiThreshold()));
        if (d.getEmbeddingMeanShift() != null) {
            b.append(String.format(Locale.ROOT, "  embedding shift %.3f", d.getEmbeddingMeanShift()));
        }
        if (d.getEmbeddingStandardisedShift() != null) {
            b.append(String.format(Locale.ROOT, "  standardised %.3f", d.getEmbeddingStandardisedShift()));
            if (d.getEmbeddingShiftThreshold() != null) {
                b.append(String.format(Locale.ROOT, " (threshold %.2f)", d.getEmbeddingShiftThreshold()));
            }
        }
        return b.toString();
    }

    private void chart(List<ClassCount> classes, long total, List<String> lines) {
        int shown = Math.min(CHART_CLASSES, classes.size());
        int labelWidth = 0;
        int countWidth = 0;
        for (int i = 0; i < shown; i++) {
            labelWidth = Math.max(labelWidth, Math.min(LABEL_WIDTH, classes.get(i).getLabel().length()));
            countWidth = Math.max(countWidth, Long.toString(classes.get(i).getCount()).length());
        }
        long largest = classes.get(0).getCount();
        for (int i = 0; i < shown; i++) {
            ClassCount c = classes.get(i);
            lines.add(String.format(Locale.ROOT, "  %-" + labelWidth + "s  %s %" + countWidth + "d  %5.1f%%",
                    abbreviate(c.getLabel(), labelWidth), bar(c.getCount(), largest), c.getCount(),
                    percent(c.getCount(), total)));
        }
        if (classes.size() > shown) {
            long rest = 0;
            for (int i = shown; i < classes.size(); i++) {
                rest += classes.get(i).getCount();
            }
            lines.add(String.format(Locale.ROOT, "  %d more classes: %d images  %.1f%%", classes.size() - shown, rest,
                    percent(rest, total)));
        }
    }

    /** A bar padded to the chart width; any non-zero count gets a visible sliver. */
    String bar(long count, long largest) {
        if (largest <= 0 || count <= 0) {
            return " ".repeat(CHART_WIDTH);
        }
        StringBuilder b = new StringBuilder(CHART_WIDTH);
        int cells;
        if (unicode) {
            long eighths = Math.max(1, Math.round((double) count * CHART_WIDTH * 8 / largest));
            cells = (int) (eighths / 8);
            b.append(FULL.repeat(cells)).append(EIGHTHS[(int) (eighths % 8)]);
            cells += eighths % 8 == 0 ? 0 : 1;
        } else {
            cells = (int) Math.max(1, Math.round((double) count * CHART_WIDTH / largest));
            b.append("#".repeat(cells));
        }
        return b.append(" ".repeat(CHART_WIDTH - cells)).toString();
    }

    private static double percent(long part, long total) {
        return total <= 0 ? 0 : 100.0 * part / total;
    }

    private String abbreviate(String label, int width) {
        return label.length() <= width ? label : label.substring(0, width - 1) + (unicode ? "…" : "~");
    }
}
