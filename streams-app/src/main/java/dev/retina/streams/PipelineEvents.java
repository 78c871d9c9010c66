package dev.retina.streams;

import dev.retina.schemas.avro.DeadLetter;

/**
 * What the pipeline tells observers (the live dashboard) about the records it handles. Called on Kafka Streams
 * threads, once per record: implementations must return at once (a non-blocking hand-off, never I/O or a lock that
 * others hold for long) and must not throw. Under exactly-once a record reprocessed after a failure is reported
 * again, so observers see at-least-once.
 *
 * <p>The exception handlers are built by Kafka Streams from class names, so they find the instance under
 * {@link #CONFIG_KEY} in the Streams configuration, as they find the metrics.
 */
public interface PipelineEvents {

    /** Streams configuration key under which the runner hands the instance to the dead-letter handlers. */
    String CONFIG_KEY = "retina.pipeline.events";

    /** Observers that ignore everything. */
    PipelineEvents NONE = new PipelineEvents() {
    };

    /** An image was classified; its result has been forwarded to the output topic's sink. */
    default void classified(ClassifiedImage image) {
    }

    /** A record became {@code letter} on the dead-letter topic. */
    default void deadLettered(DeadLetter letter) {
    }
}
