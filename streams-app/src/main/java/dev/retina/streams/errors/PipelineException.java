package dev.retina.streams.errors;

import java.util.Objects;

import dev.retina.schemas.avro.ErrorReason;

/**
 * One record could not be classified, for a reason that is the record's own (bad bytes, a timeout) rather than the
 * application's. Thrown inside the topology and turned into a DeadLetter by {@link DeadLetterProcessingHandler},
 * which keeps the reason, stage and message.
 */
public final class PipelineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorReason reason;
    private final Stage stage;

    public PipelineException(ErrorReason reason, Stage stage, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.stage = Objects.requireNonNull(stage, "stage");
    }

    public PipelineException(ErrorReason reason, Stage stage, String message) {
        this(reason, stage, message, null);
    }

    /** The frozen reason code of the dead letter. */
    public ErrorReason reason() {
        return reason;
    }

    public Stage stage() {
        return stage;
    }

    /** The class of the underlying failure (the cause's when there is one), for {@code DeadLetter.exceptionClass}. */
    public String rootExceptionClass() {
        return getCause() == null ? getClass().getName() : getCause().getClass().getName();
    }
}
