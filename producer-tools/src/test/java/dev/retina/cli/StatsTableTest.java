package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.schemas.AvroTrust;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The text {@code retina stats} prints for a window, character for character. */
@Timeout(10)
class StatsTableTest {

    static final Instant START = Instant.parse("2026-11-26T16:00:00Z");

    @BeforeAll
    static void trust() {
        AvroTrust.ensureTrusted();
    }

    static FeatureStats.Builder window(long count, List<ClassCount> classes) {
        return FeatureStats.newBuilder()
                .setWindowStart(START).setWindowEnd(START.plusSeconds(60))
                .setModelName("shapes").setModelVersion("1")
                .setCount(count)
                .setClassCounts(classes)
                .setConfidence(ConfidenceSummary.newBuilder().setMean(0.81).setP50(0.84).setP95(0.99)
                        .setLowConfidenceThreshold(0.5).setLowConfidenceCount(7).build())
                .setInput(InputSummary.newBuilder().setWidthMean(64).setWidthMin(64).setWidthMax(64)
                        .setHeightMean(64).setHeightMin(64).setHeightMax(64).setBrightnessMean(0.5)
                        .setBrightnessVariance(0.01).setContrastMean(0.12).setContrastVariance(0.001).build())
                .setEmbedding(null)
                .setDrift(null)
                .setAccuracy(null)
                .setLatency(LatencySummary.newBuilder().setP50Millis(12.5).setP99Millis(48.0)
                        .setInferenceP50Millis(9.5).setInferenceP99Millis(40.26).build());
    }

    static ClassCount count(String label, long n) {
        return ClassCount.newBuilder().setLabel(label).setCount(n).build();
    }

    @Test
    void fullWindowWithAccuracyDriftAndChart() {
        FeatureStats s = window(120, List.of(count("cat", 70), count("dog", 50)))
                .setAccuracy(AccuracySummary.newBuilder().setLabelledCount(40).setCorrect(36).setAccuracy(0.9)
                        .setPerClassRecall(List.of(
                                ClassRecall.newBuilder().setLabel("cat").setLabelled(20).setCorrect(19).setRecall(0.95)
                                        .build(),
                                ClassRecall.newBuilder().setLabel("dog").setLabelled(20).setCorrect(17).setRecall(0.85)
                                        .build()))
                        .build())
                .setDrift(DriftSummary.newBuilder().setReference("first full window").setPsiClass(0.04)
                        .setPsiConfidence(0.02).setEmbeddingMeanShift(0.11).setPsiThreshold(0.2).setDrift(false)
                        .setEmbeddingStandardisedShift(0.13).setEmbeddingShiftThreshold(0.5).build())
                .setEntropy(EntropySummary.newBuilder().setMean(0.42).setVariance(0.01).setMin(0.01).setMax(1.9)
                        .build())
                .build();

        assertThat(new StatsTable(true, true).render(s)).containsExactly(
                "shapes:1  2026-11-26 16:00:00 - 16:01:00 UTC  images 120  late 0",
                "  classes     cat 70, dog 50",
                "  confidence  mean 0.810  p50 0.840  p95 0.990  low 7 below 0.50  entropy 0.420",
                "  accuracy    0.900  36 of 40 labelled  lowest recall dog 0.850 (17 of 20)",
                "  input       64x64  brightness 0.500  contrast 0.120",
                "  latency     p50 12.5 ms  p99 48.0 ms  inference p50 9.5 ms  p99 40.3 ms",
                "  drift       ok  psi class 0.040  confidence 0.020  threshold 0.20  embedding shift 0.110"
                        + "  standardised 0.130 (threshold 0.50)",
                "  reference   first full window",
                // 70 is the longest bar (30 cells); 50/70 of 240 eighths = 171.4 -> 21 cells and 3 eighths.
                "  cat  ██████████████████████████████ 70   58.3%",
                "  dog  █████████████████████▍         50   41.7%");
    }

    @Test
    void driftFlaggedWithoutEmbeddingsOrLabelsAndNoChart() {
        FeatureStats s = window(10, List.of(count("square", 9), count("circle", 1)))
                .setSource("camera-7").setLateCount(4)
                .setInput(InputSummary.newBuilder().setWidthMean(50).setWidthMin(32).setWidthMax(64)
                        .setHeightMean(48).setHeightMin(48).setHeightMax(48).setBrightnessMean(0.5)
                        .setBrightnessVariance(0.01).setContrastMean(0.12).setContrastVariance(0.001).build())
                .setDrift(DriftSummary.newBuilder().setReference("validation set 2026-11").setPsiClass(1.234)
                        .setPsiConfidence(0.5).setEmbeddingMeanShift(null).setPsiThreshold(0.2).setDrift(true)
                        .build())
                .build();

        assertThat(new StatsTable(false, true).render(s)).containsExactly(
                "shapes:1  source camera-7  2026-11-26 16:00:00 - 16:01:00 UTC  images 10  late 4",
                "  classes     square 9, circle 1",
                "  confidence  mean 0.810  p50 0.840  p95 0.990  low 7 below 0.50",
                "  accuracy    no labelled images",
                "  input       32-64x48  brightness 0.500  contrast 0.120",
                "  latency     p50 12.5 ms  p99 48.0 ms  inference p50 9.5 ms  p99 40.3 ms",
                "  drift       DRIFT  psi class 1.234  confidence 0.500  threshold 0.20",
                "  reference   validation set 2026-11");
    }

    @Test
    void manyClassesAreRankedCappedAndLongLabelsShortened() {
        List<ClassCount> classes = new ArrayList<>();
        // Out of order on purpose: the table ranks by count, then label.
        for (int i = 0; i < 10; i++) {
            classes.add(count("class-" + i, i + 1));
        }
        classes.add(count("a-label-much-longer-than-sixteen", 10));
        FeatureStats s = window(65, classes).build();

        List<String> lines = new StatsTable(true, false).render(s);

        assertThat(lines.get(1)).isEqualTo("  classes     a-label-much-longer-than-sixteen 10, class-9 10, class-8 9,"
                + " 8 more");
        assertThat(lines.subList(7, lines.size())).containsExactly(
                "  a-label-much-lo~  ############################## 10   15.4%",
                "  class-9           ############################## 10   15.4%",
                "  class-8           ###########################     9   13.8%",
                "  class-7           ########################        8   12.3%",
                "  class-6           #####################           7   10.8%",
                "  class-5           ##################              6    9.2%",
                "  class-4           ###############                 5    7.7%",
                "  class-3           ############                    4    6.2%",
                "  3 more classes: 6 images  9.2%");
    }

    @Test
    void noLowestRecallWhenEveryClassIsRecalled() {
        FeatureStats s = window(4, List.of(count("cat", 2), count("dog", 2)))
                .setAccuracy(AccuracySummary.newBuilder().setLabelledCount(4).setCorrect(4).setAccuracy(1.0)
                        .setPerClassRecall(List.of(
                                ClassRecall.newBuilder().setLabel("cat").setLabelled(2).setCorrect(2).setRecall(1.0)
                                        .build(),
                                ClassRecall.newBuilder().setLabel("dog").setLabelled(2).setCorrect(2).setRecall(1.0)
                                        .build()))
                        .build())
                .build();

        assertThat(new StatsTable(false, true).render(s)).contains("  accuracy    1.000  4 of 4 labelled");
    }

    @Test
    void emptyWindowShowsNoConfidenceLatencyOrChart() {
        FeatureStats s = window(0, List.of()).build();

        assertThat(new StatsTable(true, true).render(s)).containsExactly(
                "shapes:1  2026-11-26 16:00:00 - 16:01:00 UTC  images 0  late 0",
                "  classes     none",
                "  accuracy    no labelled images",
                "  drift       no reference yet");
    }

    @Test
    void windowTimesShowMillisAndTheEndDateOnlyWhenNeeded() {
        assertThat(StatsTable.window(Instant.parse("2026-11-26T23:59:50Z"), Instant.parse("2026-11-27T00:00:00Z")))
                .isEqualTo("2026-11-26 23:59:50 - 2026-11-27 00:00:00 UTC");
        assertThat(StatsTable.window(Instant.parse("2026-11-26T10:00:00.250Z"),
                Instant.parse("2026-11-26T10:00:00.750Z")))
                .isEqualTo("2026-11-26 10:00:00.250 - 10:00:00.750 UTC");
    }

    @Test
    void barsAreScaledInEighthsAndNeverVanish() {
        StatsTable unicode = new StatsTable(true, true);
        assertThat(unicode.bar(1, 1000)).isEqualTo("▏" + " ".repeat(29));
        assertThat(unicode.bar(1, 2)).isEqualTo("█".repeat(15) + " ".repeat(15));
        assertThat(unicode.bar(0, 5)).isEqualTo(" ".repeat(30));
        assertThat(new StatsTable(true, false).bar(1, 1000)).isEqualTo("#" + " ".repeat(29));
    }
}
