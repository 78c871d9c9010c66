package dev.retina.streams.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.model.ModelPackage;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.ModelRelease;
import dev.retina.streams.model.ModelRejectedException.Reason;
import dev.retina.streams.model.ReloadHistory.Outcome;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The models-topic reader against a mock consumer: keys, pins, URIs, undecodable and foreign records. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModelTopicSourceTest {

    private static final String TOPIC = "models";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static Engine engine;
    private static ModelValidator validator;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startEngine() {
        AvroTrust.ensureTrusted();
        engine = Engine.create(1);
        validator = new ModelValidator(engine, ValidationSettings.defaults());
    }

    @AfterAll
    static void stopEngine() {
        validator.close();
        engine.close();
    }

    /** Avro single-object encoding stands in for the registry wire format: the source only needs a deserializer. */
    private static final Deserializer<ModelRelease> DESERIALIZER = (topic, data) -> {
        try {
            return ModelRelease.fromByteBuffer(ByteBuffer.wrap(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };

    private static byte[] encode(ModelRelease r) {
        try {
            ByteBuffer b = r.toByteBuffer();
            return ModelTopic.bytes(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ModelRelease.Builder release(String name, String version, byte[] onnx) {
        return ModelRelease.newBuilder().setName(name).setVersion(version).setSha256(ModelPackage.sha256(onnx))
            .setOnnx(ByteBuffer.wrap(onnx)).setUri(null).setLabels(TinyModels.LABELS)
            .setPreprocessing(TinyModels.PREPROCESS).setReleasedAt(Instant.ofEpochMilli(1_700_000_000_000L));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    private void add(String key, byte[] value) {
        records.add(new ConsumerRecord<>(TOPIC, 0, records.size(), utf8(key), value));
    }

    private MockConsumer<byte[], byte[]> consumerWith(List<ConsumerRecord<byte[], byte[]>> recs) {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0],
            new Node[0])));
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.updateEndOffsets(Map.of(TP, (long) recs.size()));
        consumer.schedulePollTask(() -> recs.forEach(consumer::addRecord));
        return consumer;
    }

    private void replay(ModelManager manager) throws Exception {
        MockConsumer<byte[], byte[]> consumer = consumerWith(List.copyOf(records));
        try (ModelTopicSource source = new ModelTopicSource(() -> consumer, TOPIC, DESERIALIZER, manager,
                 new ModelBytesFetcher(), 1 << 20).start()) {
            source.caughtUp().get(30, TimeUnit.SECONDS);
            manager.sync().get();
        }
    }

    @Test
    void replaysReleasesAndPinsOfItsModelOnly() throws Exception {
        add("colors:1", encode(release("colors", "1", TinyModels.onnx(10f)).build()));
        add("colors:2", encode(release("colors", "2", TinyModels.onnx(20f)).build()));
        add("shapes:9", encode(release("shapes", "9", TinyModels.onnx(90f)).build()));
        add("pin:shapes", utf8("9"));
        add("pin:colors", utf8("1"));
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            replay(manager);
            assertThat(manager.current().identity().version()).isEqualTo("1");
            assertThat(manager.pinned()).contains("1");
            assertThat(manager.knownVersions().get()).containsExactly("1", "2");
        }
        add("pin:colors", null);
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            replay(manager);
            assertThat(manager.current().identity().version()).as("unpinned by the tombstone").isEqualTo("2");
            assertThat(manager.pinned()).isEmpty();
        }
    }

    @Test
    void unusableRecordsAreRejectedAndTheValidReleaseServes() throws Exception {
        byte[] v3 = TinyModels.onnx(30f);
        Path file = tmp.resolve("v3.onnx");
        Files.write(file, v3);
        add("colors:1", encode(release("colors", "1", TinyModels.onnx(10f)).build()));
        add("colors:2", utf8("this is not an Avro record"));
        add("colors:3", encode(release("colors", "3", v3).setOnnx(null).setUri(file.toUri().toString()).build()));
        add("colors:4", encode(release("colors", "4", TinyModels.onnx(40f)).setOnnx(null)
            .setUri(tmp.resolve("missing.onnx").toUri().toString()).build()));
        add("colors:5", encode(release("colors", "6", TinyModels.onnx(60f)).build()));
        add("no-colon-key", utf8("x"));
        add("status:colors:other-instance", utf8("6 abc 1700000000000"));
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            replay(manager);
            assertThat(manager.current().identity().version()).isEqualTo("3");
            assertThat(manager.current().identity().sha256()).isEqualTo(ModelPackage.sha256(v3));
            assertThat(manager.history().events(Outcome.REJECTED))
                .extracting(ReloadHistory.Event::version, ReloadHistory.Event::reason)
                .containsExactly(
                    org.assertj.core.groups.Tuple.tuple("2", Reason.FETCH_FAILED),
                    org.assertj.core.groups.Tuple.tuple("4", Reason.FETCH_FAILED),
                    org.assertj.core.groups.Tuple.tuple("5", Reason.FETCH_FAILED));
            assertThat(manager.history().events(Outcome.REJECTED).get(2).message())
                .contains("expected a release of colors:5 under that key, found colors:6");
        }
    }

    @Test
    void keysParseAsReleasesOrPins() {
        assertThat(ModelTopic.parseKey(utf8("colors:10"))).contains(new ModelTopic.ReleaseKey("colors", "10"));
        assertThat(ModelTopic.parseKey(utf8("pin:colors"))).contains(new ModelTopic.PinKey("colors"));
        assertThat(ModelTopic.parseKey(utf8("status:colors:host-1"))).contains(
            new ModelTopic.StatusKey("colors", "host-1"));
        assertThat(ModelTopic.parseKey(utf8("colors"))).isEmpty();
        assertThat(ModelTopic.parseKey(utf8("a:b:c"))).isEmpty();
        assertThat(ModelTopic.parseKey(null)).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelTopic.releaseKey("pin", "1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'pin'");
    }

    @Test
    void readerSettingsUseNoGroupAndFitTheLargestRecord() {
        Map<String, Object> props = ModelTopicSource.consumerProperties(Map.of("group.id", "shared",
            "bootstrap.servers", "localhost:9092"));
        assertThat(props).doesNotContainKey("group.id").containsEntry("enable.auto.commit", false)
            .containsEntry("isolation.level", "read_committed");
        assertThat((Integer) props.get("max.partition.fetch.bytes")).isGreaterThan(ModelTopic.MAX_RECORD_BYTES);
    }
}
