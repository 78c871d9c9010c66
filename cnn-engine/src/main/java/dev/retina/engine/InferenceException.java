package dev.retina.engine;

/**
 * An inference call could not be served: the inputs do not fit the model, or the session or engine
 * is closed. The message states what was expected and what was found.
 */
public final class InferenceException extends RuntimeException {

    /** Why an inference call failed. */
    public enum Reason {
        /** An input name the model does not have. */
        UNKNOWN_INPUT,
        /** A model input was not supplied. */
        MISSING_INPUT,
        /** An input's shape does not match the model's declared input shape. */
        SHAPE_MISMATCH,
        /** The session or its engine has been closed. */
        CLOSED,
        /** The calling thread was interrupted while waiting for workers. */
        INTERRUPTED,
        /** A worker failed unexpectedly; the cause is attached. */
        INTERNAL
    }

    private final Reason reason;

    public InferenceException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public InferenceException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
