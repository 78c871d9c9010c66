package dev.retina.streams;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroDeserializer;
import dev.retina.schemas.registry.AvroSerializer;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.metrics.PipelineMetrics;
import dev.retina.streams.model.LiveModel;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The real topology and exception handlers in a TopologyTestDriver, with a real schema registry (the embedded one,
 * in memory) and a fixed clock. Input is piped as raw bytes so tests control every byte; outputs are read back as
 * Avro records.
 */
final class TopologyFixture implements AutoCloseable {

    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    final AppConfig config;
    final TopologyTestDriver driver;
    final InferenceRunner runner;
    final PipelineMetrics metrics;
    private final AvroSerializer<ImageRecord> imageSerializer;
    private final TestInputTopic<byte[], byte[]> input;
    private final TestOutputTopic<byte[], ClassificationResult> results;
    private final TestOutputTopic<byte[], DeadLetter> deadLetters;
    private final TestOutputTopic<String, FeatureStats> stats;

    TopologyFixture(String registryUrl, Path stateDir, Map<String, String> settings, LiveModel model) {
        Map<String, String> all = new HashMap<>();
        all.put(AppConfig.SCHEMA_REGISTRY_URL, registryUrl);
        all.put(AppConfig.INSTANCE_ID, "test-instance");
        all.put(AppConfig.KAFKA_PREFIX + "state.dir", stateDir.toString());
        // TopologyTestDriver cannot show dead letters of the deserialization handler under exactly_once_v2: they are
        // sent while the record is enqueued, inside an open transaction, and the driver's MockProducer.clear() drops
        // uncommitted sends before the next commit. Real brokers commit them; the tests module checks that.
        all.put(AppConfig.PROCESSING_GUARANTEE, "at_least_once");
        all.putAll(settings);
        this.config = AppConfig.of(all);
        this.runner = InferenceRunner.forStreamThreads(config.streamThreads(), config.inferenceTimeout());
        RecordClassifier classifier = RecordClassifier.create(config, model, runner);
        StreamsBuilder builder = new StreamsBuilder();
        this.metrics = new PipelineMetrics(new SimpleMeterRegistry(), config.instanceId());
        InferenceTopology.build(builder, config, classifier, Clock.fixed(NOW, ZoneOffset.UTC), metrics);
        this.driver = new TopologyTestDriver(builder.build(), StreamsAppRunner.streamsProperties(config, metrics));
        SchemaRegistryClient client = SchemaRegistryClient.forUrl(registryUrl);
        this.imageSerializer = new AvroSerializer<>(client, false);
        this.input = driver.createInputTopic(config.inputTopic(), new ByteArraySerializer(),
            new ByteArraySerializer());
        this.results = driver.createOutputTopic(config.outputTopic(), new ByteArrayDeserializer(),
            new AvroDeserializer<>(ClassificationResult.class, client, false));
        this.deadLetters = driver.createOutputTopic(config.dlqTopic(), new ByteArrayDeserializer(),
            new AvroDeserializer<>(DeadLetter.class, client, false));
        this.stats = driver.createOutputTopic(config.statsTopic(), new StringDeserializer(),
            new AvroDeserializer<>(FeatureStats.class, client, false));
    }

    /** An ImageRecord for {@code data}, labelled with {@code label} (may be null). */
    static ImageRecord image(String id, byte[] data, String label) {
        return image(id, data, label, "image/png");
    }

    /** An ImageRecord for {@code data} with the given content type. */
    static ImageRecord image(String id, byte[] data, String label, String contentType) {
        return ImageRecord.newBuilder()
            .setImageId(id)
            .setSource("test-camera")
            .setCapturedAt(NOW.minusSeconds(60))
            .setContentType(contentType)
            .setData(ByteBuffer.wrap(data))
            .setLabel(label)
            .setMetadata(Map.of("file", id + ".png"))
            .build();
    }

    /** The Confluent-framed bytes of {@code image}, as a producer writes them to the input topic. */
    byte[] serialize(ImageRecord image) {
        return imageSerializer.serialize(config.inputTopic(), image);
    }

    void pipe(byte[] key, byte[] value, Instant timestamp) {
        pipe(key, value, timestamp, new RecordHeaders());
    }

    void pipe(byte[] key, byte[] value, Instant timestamp, Headers headers) {
        input.pipeInput(new TestRecord<>(key, value, headers, timestamp));
    }

    List<TestRecord<byte[], ClassificationResult>> results() {
        return results.readRecordsToList();
    }

    List<TestRecord<byte[], DeadLetter>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    /** FeatureStats written since the last call (one per closed window and key). */
    List<TestRecord<String, FeatureStats>> stats() {
        return stats.readRecordsToList();
    }

    @Override
    public void close() {
        driver.close();
        runner.close();
    }
}
