package dev.retina.streams.model;

import java.util.Objects;

/** A candidate model failed validation and will not serve; {@link #reason()} says which check it failed. */
public final class ModelRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a candidate was rejected; stable codes for logs, history and metrics. */
    public enum Reason {
        /** The model bytes could not be obtained (unreadable directory, failed URI fetch, undecodable record). */
        FETCH_FAILED,
        /** The bytes are larger than the import limit. */
        TOO_LARGE,
        /** The bytes do not have the SHA-256 the release announced. */
        SHA256_MISMATCH,
        /** The ONNX graph does not load or shape-check (malformed, unknown operator, bad shapes). */
        INVALID_GRAPH,
        /** labels.txt or preprocess.json is invalid. */
        INVALID_METADATA,
        /** The graph does not fit its labels or preprocessing (output size != label count, input shape). */
        MODEL_MISMATCH,
        /** The canary inference failed or returned unusable scores. */
        CANARY_FAILED,
        /** The canary inference took longer than the latency budget. */
        CANARY_TIMEOUT,
        /** The golden set did not reach the required accuracy, or one of its images is unusable. */
        GOLDEN_SET_FAILED
    }

    private final Reason reason;

    public ModelRejectedException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ModelRejectedException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    /** The message without the leading reason code. */
    public String detail() {
        return getMessage().substring(reason.name().length() + 2);
    }
}
