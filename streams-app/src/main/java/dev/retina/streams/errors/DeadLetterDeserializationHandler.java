package dev.retina.streams.errors;

import java.util.List;
import java.util.Map;

import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.streams.PipelineEvents;
import dev.retina.streams.metrics.PipelineMetrics;
import dev.retina.schemas.registry.SchemaRegistryException;
import dev.retina.schemas.registry.WireFormatException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters input records whose bytes cannot be read as an ImageRecord (KIP-1033/KIP-1034 hook): the DeadLetter
 * (reason DESERIALIZATION, stage {@code deserialize}, the original key and value bytes unchanged) is returned to
 * Kafka Streams, which writes it in the same transaction as the input offset, and processing resumes.
 *
 * <p>One failure is not the record's fault: a schema registry that cannot be reached (a plain
 * {@code SerializationException} caused by a {@link SchemaRegistryException}). Such a record is fine and must not be
 * dead-lettered, so the handler answers FAIL; the stream thread is replaced and reads the record again from the last
 * commit. Likewise FAIL when the dead letter itself cannot be written: nothing is ever skipped silently.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private DeadLetterWriter writer;
    private PipelineMetrics metrics;
    private PipelineEvents events = PipelineEvents.NONE;

    @Override
    public void configure(Map<String, ?> configs) {
        this.writer = DeadLetterWriter.fromConfig(configs);
        this.metrics = configs.get(PipelineMetrics.CONFIG_KEY) instanceof PipelineMetrics m ? m : null;
        this.events = configs.get(PipelineEvents.CONFIG_KEY) instanceof PipelineEvents e ? e : PipelineEvents.NONE;
    }

    /** For tests and embedding: a handler with a ready writer and optional metrics (null for none). */
    public void configureWith(DeadLetterWriter deadLetterWriter, PipelineMetrics pipelineMetrics) {
        this.writer = deadLetterWriter;
        this.metrics = pipelineMetrics;
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        WireFormatException wire = ErrorReasons.wireFormatCause(exception);
        if (wire == null && isRegistryOutage(exception)) {
            LOG.error("Schema registry unavailable while reading {}-{}@{}; failing the task so the record is read "
                + "again after the thread restarts: {}", record.topic(), record.partition(), record.offset(),
                exception.getMessage());
            return Response.fail();
        }
        String message = wire != null ? wire.getMessage()
            : "cannot deserialize the value: " + exception;
        String exceptionClass = (wire != null ? wire : exception).getClass().getName();
        FailedRecord failed = new FailedRecord(record.topic(), record.partition(), record.offset(), record.key(),
            record.value(), record.timestamp(), record.headers());
        try {
            DeadLetter letter = writer.deadLetter(ErrorReason.DESERIALIZATION, Stage.DESERIALIZE,
                "expected a Confluent-framed Avro ImageRecord: " + message, exceptionClass, failed);
            List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> out =
                List.of(writer.record(letter, record.key()));
            LOG.warn("Dead-lettered {}-{}@{} to {}: DESERIALIZATION at deserialize: {}", record.topic(),
                record.partition(), record.offset(), writer.topic(), message);
            if (metrics != null) {
                metrics.deadLettered(ErrorReason.DESERIALIZATION);
            }
            events.deadLettered(letter);
            return Response.resume(out);
        } catch (RuntimeException e) {
            LOG.error("Cannot write the dead letter for {}-{}@{} to {}; failing the task instead of dropping the "
                + "record", record.topic(), record.partition(), record.offset(), writer.topic(), e);
            return Response.fail();
        }
    }

    static boolean isRegistryOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistryException) {
                return true;
            }
        }
        return false;
    }
}
