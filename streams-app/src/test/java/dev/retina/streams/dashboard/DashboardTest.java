package dev.retina.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.Prediction;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.avro.Lineage;
import dev.retina.schemas.avro.ModelRef;
import dev.retina.schemas.avro.Timings;
import dev.retina.streams.Classification;
import dev.retina.streams.ClassifiedImage;
import dev.retina.streams.model.LiveModel;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.model.ModelUnavailableException;
import dev.retina.streams.model.ServingModel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DashboardTest {

    private static final ModelIdentity MODEL = new ModelIdentity("shapes", "3", "0f".repeat(32));

    /** No model loaded: the dashboard shows "no model" rather than failing. */
    private static final LiveModel NO_MODEL = new LiveModel() {
        @Override
        public ServingModel current() {
            throw new ModelUnavailableException("no model yet");
        }

        @Override
        public void close() {
        }
    };

    private static byte[] png(int size) throws IOException {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        image.setRGB(size / 2, size / 2, 0xFFFFFF);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static ClassifiedImage classified(String id, byte[] data) {
        ImageRecord input = ImageRecord.newBuilder().setImageId(id).setSource("cam").setCapturedAt(Instant.EPOCH)
            .setContentType("image/png").setData(ByteBuffer.wrap(data)).setLabel("circle").setMetadata(Map.of())
            .build();
        Classification c = new Classification(MODEL, List.of(new Prediction("circle", 0, 0.75)),
            new double[] {0.75, 0.25}, 1, 2, 200, 200, 0.5, 0.1, null);
        ClassificationResult result = ClassificationResult.newBuilder().setImageId(id).setSource("cam")
            .setModel(new ModelRef(MODEL.name(), MODEL.version(), MODEL.sha256()))
            .setTopK(List.of(new dev.retina.schemas.avro.Prediction("circle", 0, 0.75)))
            .setTimings(new Timings(1.0, 2.0, 12.0)).setInstanceId("a").setLineage(new Lineage("images", 1, 42L))
            .setClassifiedAt(Instant.ofEpochMilli(1000)).setGroundTruthLabel("circle").build();
        return new ClassifiedImage(input, c, result);
    }

    private static DeadLetter letter(ErrorReason reason) {
        return DeadLetter.newBuilder().setReason(reason).setStage("decode").setMessage("broken")
            .setOriginalTopic("images").setOriginalPartition(2).setOriginalOffset(7L).setOriginalKey(null)
            .setOriginalValue(ByteBuffer.wrap(new byte[1024])).setOriginalTimestamp(Instant.EPOCH)
            .setOriginalHeaders(List.of()).setFailedAt(Instant.ofEpochMilli(5)).setInstanceId("a")
            .setExceptionClass(null).build();
    }

    private static Dashboard dashboard(int feedCapacity) {
        DashboardSettings settings = new DashboardSettings(8, 96, 20, feedCapacity, Duration.ofMillis(100),
            SseBroadcaster.Limits.defaults());
        return new Dashboard(settings, "a", "app", "image-stats", NO_MODEL, ImageDecoder.withDefaults(), null,
            Clock.systemUTC());
    }

    @Test
    void streamThreadsNeverWaitForTheDispatcher() throws IOException {
        byte[] image = png(64);
        try (Dashboard d = dashboard(2)) {  // not started: nothing drains the feed
            long start = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                d.classified(classified("img-" + i, image));
            }
            double millis = (System.nanoTime() - start) / 1e6;
            assertThat(millis).as("10,000 hand-offs into a full feed took %.0f ms", millis).isLessThan(5_000);
            assertThat(d.feedDropped()).isEqualTo(10_000 - 2);
        }
    }

    @Test
    void classifiedImagesAndDeadLettersReachTheStateWithThumbnails() throws IOException {
        try (Dashboard d = dashboard(64).start()) {
            d.classified(classified("img-1", png(300)));
            d.classified(classified("img-2", "not a png".getBytes()));
            d.deadLettered(letter(ErrorReason.CORRUPT_IMAGE));
            d.deadLettered(letter(ErrorReason.CORRUPT_IMAGE));
            d.deadLettered(letter(ErrorReason.DESERIALIZATION));
            await().atMost(Duration.ofSeconds(10)).until(() -> d.state().snapshot().images().size() == 2
                && d.state().snapshot().deadLetters().latest().size() == 3);
            Views.Snapshot s = d.state().snapshot();
            Views.ImageCard first = s.images().get(0);
            assertThat(first.imageId()).isEqualTo("img-1");
            assertThat(first.label()).isEqualTo("circle");
            assertThat(first.score()).isEqualTo(0.75);
            assertThat(first.modelVersion()).isEqualTo("3");
            assertThat(first.partition()).isEqualTo(1);
            assertThat(first.offset()).isEqualTo(42);
            assertThat(first.endToEndMillis()).isEqualTo(12.0);
            assertThat(first.thumbnail()).startsWith(Thumbnailer.DATA_URI_PREFIX);
            Views.ImageCard second = s.images().get(1);
            assertThat(second.thumbnail()).isNull();
            assertThat(second.thumbError()).startsWith("UNSUPPORTED_FORMAT");
            assertThat(s.deadLetters().counts()).containsEntry("CORRUPT_IMAGE", 2L)
                .containsEntry("DESERIALIZATION", 1L);
            assertThat(s.deadLetters().latest()).extracting(Views.DeadLetterEntry::seq).containsExactly(1L, 2L, 3L);
            assertThat(s.deadLetters().latest().get(0).partition()).isEqualTo(2);
            assertThat(s.model().version()).isNull();
            // ticks carry the count and the latencies of the images
            await().atMost(Duration.ofSeconds(10)).until(() -> d.state().snapshot().ticks().stream()
                .anyMatch(t -> t.classified() == 2 && t.deadLetters() == 3));
        }
    }
}
