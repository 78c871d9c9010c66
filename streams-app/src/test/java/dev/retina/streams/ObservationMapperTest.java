package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.model.Prediction;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.avro.Lineage;
import dev.retina.schemas.avro.ModelRef;
import dev.retina.schemas.avro.Timings;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.stats.Observation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One classified image becomes exactly the observation the window statistics expect. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ObservationMapperTest {

    private static final Instant CAPTURED = Instant.parse("2026-11-26T10:00:00Z");

    private static ClassifiedImage classified(String label, float[] embedding) {
        ModelIdentity model = new ModelIdentity("colors", "7", "ab".repeat(32));
        double[] p = {0.7, 0.2, 0.1};
        Classification c = new Classification(model,
            List.of(new Prediction("red", 0, 0.7), new Prediction("green", 1, 0.2)), p, 1.5, 4.25, 32, 24,
            0.4, 0.125, embedding);
        ImageRecord input = ImageRecord.newBuilder().setImageId("img-1").setSource("cam-9").setCapturedAt(CAPTURED)
            .setContentType("image/png").setData(ByteBuffer.wrap(new byte[] {1})).setLabel(label)
            .setMetadata(Map.of()).build();
        ClassificationResult result = ClassificationResult.newBuilder().setImageId("img-1").setSource("cam-9")
            .setModel(new ModelRef("colors", "7", model.sha256())).setTopK(List.of())
            .setTimings(new Timings(1.5, 4.25, 42.0)).setInstanceId("i").setLineage(new Lineage("images", 0, 5L))
            .setClassifiedAt(CAPTURED.plusMillis(42)).setGroundTruthLabel(label).build();
        return new ClassifiedImage(input, c, result);
    }

    @Test
    void everyFieldComesFromTheClassificationTheInputAndTheResult() {
        Observation o = ObservationMapper.observation(classified("green", new float[] {0.5f, -1f}), 123_456L);
        assertThat(o.modelName()).isEqualTo("colors");
        assertThat(o.modelVersion()).isEqualTo("7");
        assertThat(o.source()).isEqualTo("cam-9");
        assertThat(o.top1Index()).isZero();
        assertThat(o.top1Label()).isEqualTo("red");
        assertThat(o.top1Score()).isEqualTo(0.7);
        assertThat(o.entropy()).isCloseTo(-(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)),
            within(1e-12));
        assertThat(o.width()).isEqualTo(32);
        assertThat(o.height()).isEqualTo(24);
        assertThat(o.brightness()).isEqualTo(0.4);
        assertThat(o.contrast()).isEqualTo(0.125);
        assertThat(o.embedding()).containsExactly(0.5f, -1f);
        assertThat(o.endToEndMillis()).isEqualTo(42.0);
        assertThat(o.inferenceMillis()).isEqualTo(4.25);
        assertThat(o.groundTruthLabel()).isEqualTo("green");
        assertThat(o.correct()).isFalse();
        assertThat(o.eventTimeMillis()).isEqualTo(123_456L);
    }

    @Test
    void noEmbeddingAndNoLabelStayAbsent() {
        Observation o = ObservationMapper.observation(classified(null, null), 1L);
        assertThat(o.embedding()).isNull();
        assertThat(o.labelled()).isFalse();
    }
}
