package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.image.ImageDecoder;
import dev.retina.schemas.avro.ImageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The send plan and loop of {@code retina produce --synthetic}, against Kafka's MockProducer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyntheticProducerTest {

    /** Stands in for the Avro serializer: the image id, a NUL, then the PNG bytes. */
    private static final Serializer<ImageRecord> FAKE_AVRO = (topic, record) -> {
        byte[] id = record.getImageId().getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = record.getData().duplicate();
        ByteBuffer out = ByteBuffer.allocate(id.length + 1 + data.remaining());
        out.put(id).put((byte) 0).put(data);
        return out.array();
    };

    private static MockProducer<String, byte[]> mock() {
        return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    }

    @Test
    void planMixesEveryKindIntoTheImagesDeterministically() {
        SyntheticImages images = new SyntheticImages(5, 40, "test");

        List<SyntheticProducer.Item> plan = SyntheticProducer.plan(images, 22, 5);

        assertThat(plan).hasSize(62);
        assertThat(plan).filteredOn(SyntheticProducer.Item::valid).extracting(SyntheticProducer.Item::index)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 40).boxed().toList());
        EnumSet<MalformedKind> kinds = EnumSet.noneOf(MalformedKind.class);
        plan.stream().filter(i -> !i.valid()).forEach(i -> kinds.add(i.kind()));
        assertThat(kinds).containsExactlyInAnyOrder(MalformedKind.values());
        assertThat(plan).extracting(SyntheticProducer.Item::key).doesNotHaveDuplicates();
        assertThat(plan).filteredOn(i -> !i.valid()).allSatisfy(i -> assertThat(i.key()).startsWith("bad-"));
        // Bad records are spread out, not bunched at one end.
        assertThat(plan.subList(0, 31)).anySatisfy(i -> assertThat(i.valid()).isFalse());
        assertThat(plan.subList(31, 62)).anySatisfy(i -> assertThat(i.valid()).isFalse());
        assertThat(SyntheticProducer.plan(images, 22, 5)).isEqualTo(plan);
    }

    @Test
    void sendsEveryPlannedRecordKeyedAndLabelled() throws InterruptedException {
        SyntheticImages images = new SyntheticImages(9, 16, "test");
        MockProducer<String, byte[]> producer = mock();
        SyntheticProducer feed = new SyntheticProducer(producer, "images", FAKE_AVRO, images, 11, 0);
        List<RecordMetadata> acks = new ArrayList<>();

        SyntheticProducer.Summary summary = feed.run(new SyntheticProducer.Listener() {
            @Override
            public void acknowledged(SyntheticProducer.Item item, RecordMetadata metadata) {
                acks.add(metadata);
            }
        });

        assertThat(summary.sent()).isEqualTo(27);
        assertThat(summary.failed()).isZero();
        assertThat(summary.valid()).isEqualTo(16);
        assertThat(summary.bad()).isEqualTo(11);
        assertThat(acks).hasSize(27);
        List<ProducerRecord<String, byte[]>> history = producer.history();
        assertThat(history).extracting(ProducerRecord::key)
                .containsExactlyElementsOf(feed.plan().stream().map(SyntheticProducer.Item::key).toList());
        Set<String> labels = new HashSet<>();
        for (int i = 0; i < history.size(); i++) {
            SyntheticProducer.Item item = feed.plan().get(i);
            byte[] value = history.get(i).value();
            if (item.valid()) {
                String id = new String(value, 0, item.imageId().length(), StandardCharsets.UTF_8);
                assertThat(id).isEqualTo(images.imageId(item.index()));
                byte[] png = java.util.Arrays.copyOfRange(value, id.length() + 1, value.length);
                assertThat(ImageDecoder.withDefaults().decode(png).width()).isEqualTo(64);
                labels.add(item.label());
            } else if (item.kind() == MalformedKind.TOMBSTONE) {
                assertThat(value).isNull();
            }
        }
        assertThat(labels).containsExactlyInAnyOrderElementsOf(images.labels());
    }

    @Test
    void failedSendsAreCountedAndReported() throws InterruptedException {
        // Every other record is refused the way a broker error is reported: through the callback.
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer()) {
            private int calls;

            @Override
            public synchronized java.util.concurrent.Future<RecordMetadata> send(
                    ProducerRecord<String, byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
                if (calls++ % 2 == 1) {
                    TimeoutException error = new TimeoutException("no broker answered for " + record.key());
                    callback.onCompletion(null, error);
                    return java.util.concurrent.CompletableFuture.failedFuture(error);
                }
                return super.send(record, callback);
            }
        };
        SyntheticProducer feed = new SyntheticProducer(producer, "images", FAKE_AVRO,
                new SyntheticImages(1, 5, "test"), 0, 0);
        List<String> failed = new ArrayList<>();

        SyntheticProducer.Summary summary = feed.run(new SyntheticProducer.Listener() {
            @Override
            public void failed(SyntheticProducer.Item item, Exception error) {
                failed.add(item.key() + ": " + error.getMessage());
            }
        });

        assertThat(summary.sent()).isEqualTo(3);
        assertThat(summary.failed()).isEqualTo(2);
        assertThat(failed).containsExactly(
                feed.plan().get(1).key() + ": no broker answered for " + feed.plan().get(1).key(),
                feed.plan().get(3).key() + ": no broker answered for " + feed.plan().get(3).key());
    }

    @Test
    void rateSpacesTheRecords() throws InterruptedException {
        SyntheticProducer feed = new SyntheticProducer(mock(), "images", FAKE_AVRO,
                new SyntheticImages(1, 6, "test"), 0, 50);

        SyntheticProducer.Summary summary = feed.run(new SyntheticProducer.Listener() { });

        // Record n is due n/50 s after the start: the last of six at 100 ms.
        assertThat(summary.elapsed()).isGreaterThanOrEqualTo(java.time.Duration.ofMillis(100));
        assertThat(summary.sent()).isEqualTo(6);
    }

    @Test
    void negativeCountsAreRefused() {
        assertThatThrownBy(() -> new SyntheticProducer(mock(), "images", FAKE_AVRO,
                new SyntheticImages(1, 3, "test"), -1, 0)).hasMessageContaining("found -1");
        assertThatThrownBy(() -> new SyntheticImages(1, -2, "test")).hasMessageContaining("-2");
    }

    @Test
    void imageIdsAreStablePerSeedAndIndex() {
        assertThat(SyntheticImages.imageId(1, 0)).isEqualTo(new SyntheticImages(1, 5, "a").imageId(0));
        assertThat(SyntheticImages.imageId(1, 0)).isNotEqualTo(SyntheticImages.imageId(2, 0))
                .isNotEqualTo(SyntheticImages.imageId(1, 1));
    }
}
