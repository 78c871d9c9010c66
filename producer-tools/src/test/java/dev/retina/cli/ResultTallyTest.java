package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.Lineage;
import dev.retina.schemas.avro.ModelRef;
import dev.retina.schemas.avro.Prediction;
import dev.retina.schemas.avro.Timings;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Accounting of a synthetic run: every kind of answer, missing answer and extra answer. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ResultTallyTest {

    private static final SyntheticProducer.Item CIRCLE = new SyntheticProducer.Item(0, "a", "a", "circle", 0, null);
    private static final SyntheticProducer.Item SQUARE = new SyntheticProducer.Item(1, "b", "b", "square", 1, null);
    private static final SyntheticProducer.Item STAR = new SyntheticProducer.Item(2, "c", "c", "star", 2, null);
    private static final SyntheticProducer.Item TRUNCATED =
            new SyntheticProducer.Item(3, "bad-1", "bad-1", null, 0, MalformedKind.TRUNCATED_PNG);
    private static final SyntheticProducer.Item TOMBSTONE =
            new SyntheticProducer.Item(4, "bad-2", "bad-2", null, 1, MalformedKind.TOMBSTONE);

    private static ClassificationResult result(String id, String top1) {
        return ClassificationResult.newBuilder()
                .setImageId(id)
                .setSource("test")
                .setModel(new ModelRef("shapes", "1", "0".repeat(64)))
                .setTopK(List.of(new Prediction(top1, 0, 0.9)))
                .setTimings(new Timings(1.0, 2.0, 3.0))
                .setInstanceId("i")
                .setLineage(new Lineage("images", 0, 0L))
                .setClassifiedAt(Instant.EPOCH)
                .setGroundTruthLabel(null)
                .build();
    }

    private static DeadLetter letter(ErrorReason reason) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setMessage("m")
                .setStage("decode")
                .setOriginalTopic("images")
                .setOriginalPartition(0)
                .setOriginalOffset(0)
                .setOriginalKey(null)
                .setOriginalValue(null)
                .setOriginalTimestamp(Instant.EPOCH)
                .setOriginalHeaders(List.of())
                .setFailedAt(Instant.EPOCH)
                .setInstanceId(null)
                .setExceptionClass(null)
                .build();
    }

    @Test
    void countsClassifiedDeadLetteredLostAndAccuracy() {
        ResultTally tally = new ResultTally(List.of(CIRCLE, SQUARE, STAR, TRUNCATED, TOMBSTONE));
        tally.result("a", result("a", "circle"));
        tally.result("b", result("b", "ring"));
        tally.deadLetter("bad-1", letter(ErrorReason.CORRUPT_IMAGE));

        ResultTally.Snapshot s = tally.snapshot();

        assertThat(s.produced()).isEqualTo(5);
        assertThat(s.classified()).isEqualTo(2);
        assertThat(s.deadLettered()).isEqualTo(1);
        assertThat(s.lost()).isEqualTo(2);
        assertThat(s.complete()).isFalse();
        assertThat(s.duplicates()).isZero();
        assertThat(s.accuracy()).isEqualTo(0.5);
        assertThat(s.wrongReason()).isZero();
        assertThat(s.p50EndToEndMillis()).isEqualTo(3.0);
        assertThat(s.summaryLine(12.345)).isEqualTo("produced=5 classified=2 dead_lettered=1 lost=2 duplicates=0"
                + " accuracy=0.5000 images_per_s=12.3");
    }

    @Test
    void extraAnswersAreDuplicatesAndOnlyTheFirstResultCounts() {
        ResultTally tally = new ResultTally(List.of(CIRCLE, TRUNCATED));
        tally.result("a", result("a", "circle"));
        tally.result("a", result("a", "square"));
        tally.deadLetter("a", letter(ErrorReason.INFERENCE));
        tally.deadLetter("bad-1", letter(ErrorReason.DESERIALIZATION));

        ResultTally.Snapshot s = tally.snapshot();

        assertThat(s.duplicates()).isEqualTo(2);
        assertThat(s.classified()).isEqualTo(1);
        assertThat(s.deadLettered()).isEqualTo(1);
        assertThat(s.accuracy()).isEqualTo(1.0);
        assertThat(s.wrongReason()).as("TRUNCATED_PNG expects CORRUPT_IMAGE").isEqualTo(1);
        assertThat(s.complete()).isTrue();
    }

    @Test
    void recordsTheBrokerRefusedAreNotOwedAnAnswerAndStrangersAreCountedApart() {
        ResultTally tally = new ResultTally(List.of(CIRCLE, SQUARE));
        tally.notProduced(SQUARE);
        tally.result("a", result("a", "circle"));
        tally.result("zzz", result("zzz", "circle"));
        tally.deadLetter(null, letter(ErrorReason.DESERIALIZATION));

        ResultTally.Snapshot s = tally.snapshot();

        assertThat(s.produced()).isEqualTo(1);
        assertThat(s.lost()).isZero();
        assertThat(s.unexpected()).isEqualTo(2);
        assertThat(new ResultTally(List.of()).snapshot().summaryLine(0)).contains("accuracy=n/a");
    }

    @Test
    void percentilesAreNearestRank() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(ResultTally.percentile(sorted, 0.5)).isEqualTo(5);
        assertThat(ResultTally.percentile(sorted, 0.99)).isEqualTo(10);
        assertThat(ResultTally.percentile(new double[] {7}, 0.5)).isEqualTo(7);
        assertThat(ResultTally.percentile(new double[0], 0.5)).isNaN();
    }

    @Test
    void planKeysMustBeUnique() {
        assertThatThrownBy(() -> new ResultTally(List.of(CIRCLE, CIRCLE))).hasMessageContaining("a twice");
    }
}
