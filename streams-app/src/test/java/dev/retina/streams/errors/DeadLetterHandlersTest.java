package dev.retina.streams.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.image.ImageDecodeException;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.registry.SchemaRegistryException;
import dev.retina.schemas.registry.WireFormatException;
import dev.retina.streams.metrics.PipelineMetrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The handlers' decisions: dead-letter and resume for bad data, fail (never drop) for outages. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeadLetterHandlersTest {

    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
    private static final byte[] KEY = "k1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {0, 0, 0, 0, 9, 1, 2, 3};

    /** Serializer double that remembers what it was given and writes a marker. */
    private static final class Recording implements Serializer<DeadLetter> {
        final List<DeadLetter> letters = new ArrayList<>();

        @Override
        public byte[] serialize(String topic, DeadLetter data) {
            letters.add(data);
            return ("dl:" + topic).getBytes(StandardCharsets.UTF_8);
        }
    }

    private record Context(String topic, int partition, long offset, Headers headers, String processorNodeId,
                           TaskId taskId, long timestamp, byte[] sourceRawKey, byte[] sourceRawValue)
        implements ErrorHandlerContext {
    }

    private static Context context() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", new byte[] {7});
        return new Context("images", 2, 41L, headers, "classify", new TaskId(0, 2), NOW.toEpochMilli() - 10,
            KEY, VALUE);
    }

    private static ConsumerRecord<byte[], byte[]> consumerRecord() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", new byte[] {7});
        return new ConsumerRecord<>("images", 2, 41L, NOW.toEpochMilli() - 10, TimestampType.CREATE_TIME,
            KEY.length, VALUE.length, KEY, VALUE, headers, Optional.empty());
    }

    private static DeadLetterWriter writer(Serializer<DeadLetter> serializer) {
        return new DeadLetterWriter("images-dlq", "node-1", serializer, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void wireFormatFailureIsDeadLetteredAndProcessingResumes() {
        Recording recording = new Recording();
        DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
        handler.configureWith(writer(recording), null);
        WireFormatException bad = new WireFormatException(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, 9,
            "the registry has no schema with id 9");
        DeserializationExceptionHandler.Response response = handler.handleError(context(), consumerRecord(), bad);
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        List<ProducerRecord<byte[], byte[]>> out = response.deadLetterQueueRecords();
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo("images-dlq");
            assertThat(r.key()).isEqualTo(KEY);
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("dl:images-dlq");
        });
        DeadLetter letter = recording.letters.get(0);
        assertThat(letter.getReason()).isEqualTo(ErrorReason.DESERIALIZATION);
        assertThat(letter.getStage()).isEqualTo("deserialize");
        assertThat(letter.getMessage()).contains("UNKNOWN_SCHEMA_ID");
        assertThat(letter.getOriginalPartition()).isEqualTo(2);
        assertThat(letter.getOriginalOffset()).isEqualTo(41L);
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(VALUE);
        assertThat(letter.getFailedAt()).isEqualTo(NOW);
        assertThat(letter.getInstanceId()).isEqualTo("node-1");
        assertThat(letter.getOriginalHeaders()).hasSize(1);
    }

    @Test
    void registryOutageFailsInsteadOfDeadLettering() {
        Recording recording = new Recording();
        DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
        handler.configureWith(writer(recording), null);
        SerializationException outage = new SerializationException("Cannot fetch writer schema 9",
            new SchemaRegistryException(SchemaRegistryException.Reason.UNREACHABLE, -1, -1, "connection refused"));
        DeserializationExceptionHandler.Response response = handler.handleError(context(), consumerRecord(), outage);
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
        assertThat(recording.letters).isEmpty();
    }

    @Test
    void deadLetterThatCannotBeWrittenFailsTheTask() {
        Serializer<DeadLetter> down = (topic, data) -> {
            throw new SerializationException("registry down");
        };
        DeadLetterDeserializationHandler deser = new DeadLetterDeserializationHandler();
        deser.configureWith(writer(down), null);
        assertThat(deser.handleError(context(), consumerRecord(), new WireFormatException(
            WireFormatException.Reason.BAD_MAGIC, -1, "x")).result())
            .isEqualTo(DeserializationExceptionHandler.Result.FAIL);

        DeadLetterProcessingHandler proc = new DeadLetterProcessingHandler();
        proc.configureWith(writer(down), null);
        ProcessingExceptionHandler.Response response = proc.handleError(context(), new Record<>("k", "v", 0L),
            new PipelineException(ErrorReason.CORRUPT_IMAGE, Stage.DECODE, "bad"));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void interruptionIsNotDeadLettered() {
        Recording recording = new Recording();
        DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();
        handler.configureWith(writer(recording), null);
        ProcessingExceptionHandler.Response response = handler.handleError(context(), new Record<>("k", "v", 0L),
            new IllegalStateException("interrupted while waiting for inference", new InterruptedException()));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(recording.letters).isEmpty();
    }

    @Test
    void processingFailureKeepsReasonStageAndCauseClass() {
        Recording recording = new Recording();
        DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry(), "node-1");
        handler.configureWith(writer(recording), metrics);
        ImageDecodeException cause = new ImageDecodeException(ImageDecodeException.Reason.IMAGE_TOO_LARGE, "big");
        ProcessingExceptionHandler.Response response = handler.handleError(context(), new Record<>("k", "v", 0L),
            new PipelineException(ErrorReasons.of(cause), Stage.DECODE, cause.getMessage(), cause));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement()
            .satisfies(r -> assertThat(r.key()).isEqualTo(KEY));
        DeadLetter letter = recording.letters.get(0);
        assertThat(letter.getReason()).isEqualTo(ErrorReason.IMAGE_TOO_LARGE);
        assertThat(metrics.deadLetters(ErrorReason.IMAGE_TOO_LARGE)).isEqualTo(1.0);
        assertThat(letter.getStage()).isEqualTo("decode");
        assertThat(letter.getExceptionClass()).isEqualTo(ImageDecodeException.class.getName());
        assertThat(bytes(letter.getOriginalKey())).isEqualTo(KEY);
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(VALUE);
    }

    @Test
    void veryLongMessagesAreCut() {
        Recording recording = new Recording();
        DeadLetterWriter writer = writer(recording);
        DeadLetter letter = writer.deadLetter(ErrorReason.INFERENCE, Stage.INFER, "x".repeat(10_000), null,
            new FailedRecord("images", 0, 1L, null, null, 5L, null));
        assertThat(letter.getMessage()).hasSize(DeadLetterWriter.MAX_MESSAGE_CHARS + " (6000 more characters)"
            .length() + 3).endsWith("... (6000 more characters)");
        assertThat(letter.getOriginalKey()).isNull();
        assertThat(letter.getOriginalValue()).isNull();
        assertThat(letter.getOriginalHeaders()).isEmpty();
    }

    @Test
    void decodeReasonsMapOntoFrozenCodes() {
        assertThat(ErrorReasons.of(new ImageDecodeException(ImageDecodeException.Reason.EMPTY, "")))
            .isEqualTo(ErrorReason.CORRUPT_IMAGE);
        assertThat(ErrorReasons.of(new ImageDecodeException(ImageDecodeException.Reason.CORRUPT_IMAGE, "")))
            .isEqualTo(ErrorReason.CORRUPT_IMAGE);
        assertThat(ErrorReasons.of(new ImageDecodeException(ImageDecodeException.Reason.UNSUPPORTED_FORMAT, "")))
            .isEqualTo(ErrorReason.UNSUPPORTED_FORMAT);
        assertThat(ErrorReasons.of(new ImageDecodeException(ImageDecodeException.Reason.IMAGE_TOO_LARGE, "")))
            .isEqualTo(ErrorReason.IMAGE_TOO_LARGE);
        WireFormatException wire = new WireFormatException(WireFormatException.Reason.TRAILING_BYTES, 1, "");
        assertThat(ErrorReasons.of(wire)).isEqualTo(ErrorReason.DESERIALIZATION);
        assertThat(ErrorReasons.wireFormatCause(new RuntimeException(new SerializationException(wire))))
            .isSameAs(wire);
        assertThat(ErrorReasons.wireFormatCause(new RuntimeException("no"))).isNull();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
