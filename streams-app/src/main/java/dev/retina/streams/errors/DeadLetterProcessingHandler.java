package dev.retina.streams.errors;

import java.util.List;
import java.util.Map;

import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.streams.PipelineEvents;
import dev.retina.streams.metrics.PipelineMetrics;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters records whose processing failed (KIP-1033/KIP-1034 hook). A {@link PipelineException} keeps its
 * reason and stage; any other exception is dead-lettered as UNKNOWN at stage {@code process}, so an unexpected bug
 * costs one record, not the application. The DeadLetter carries the source record's key and value bytes as Kafka
 * Streams read them ({@link ErrorHandlerContext#sourceRawKey()}, {@link ErrorHandlerContext#sourceRawValue()}), and
 * is written in the same transaction as the input offset.
 *
 * <p>When the dead letter cannot be written (e.g. the schema registry is down), or the stream thread was interrupted
 * while waiting for the record's inference (shutdown), the handler answers FAIL: the task stops and the record is
 * processed again after the thread restarts, instead of being dropped or wrongly dead-lettered.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

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
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (interrupted(exception)) {
            // The thread is being stopped mid-record: the record is fine and is processed again after a restart.
            LOG.warn("Interrupted while processing {}-{}@{}; failing the task so the record is processed again",
                context.topic(), context.partition(), context.offset());
            return Response.fail();
        }
        PipelineException pipeline = pipelineCause(exception);
        ErrorReason reason = pipeline != null ? pipeline.reason() : ErrorReason.UNKNOWN;
        Stage stage = pipeline != null ? pipeline.stage() : Stage.PROCESS;
        String message = pipeline != null ? pipeline.getMessage()
            : "unexpected failure in processor " + context.processorNodeId() + ": " + exception;
        String exceptionClass = pipeline != null ? pipeline.rootExceptionClass() : exception.getClass().getName();
        FailedRecord failed = new FailedRecord(context.topic(), context.partition(), context.offset(),
            context.sourceRawKey(), context.sourceRawValue(), context.timestamp(), context.headers());
        if (pipeline == null) {
            LOG.error("Unexpected failure processing {}-{}@{}; dead-lettering it as UNKNOWN", context.topic(),
                context.partition(), context.offset(), exception);
        }
        try {
            DeadLetter letter = writer.deadLetter(reason, stage, message, exceptionClass, failed);
            List<ProducerRecord<byte[], byte[]>> out = List.of(writer.record(letter, context.sourceRawKey()));
            LOG.warn("Dead-lettered {}-{}@{} to {}: {} at {}: {}", context.topic(), context.partition(),
                context.offset(), writer.topic(), reason, stage, message);
            if (metrics != null) {
                metrics.deadLettered(reason);
            }
            events.deadLettered(letter);
            return Response.resume(out);
        } catch (RuntimeException e) {
            LOG.error("Cannot write the dead letter for {}-{}@{} to {}; failing the task instead of dropping the "
                + "record", context.topic(), context.partition(), context.offset(), writer.topic(), e);
            return Response.fail();
        }
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    private static PipelineException pipelineCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PipelineException p) {
                return p;
            }
        }
        return null;
    }
}
