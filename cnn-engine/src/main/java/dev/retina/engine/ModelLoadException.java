package dev.retina.engine;

/**
 * A model could not be loaded: the file is unreadable, malformed, too large, or uses something the
 * engine does not support. Thrown at load time, never during inference; the message names the node,
 * the operator and what was expected versus what was found.
 */
public final class ModelLoadException extends RuntimeException {

    /** Why a load failed; stable codes for callers that react to the kind of failure. */
    public enum Reason {
        /** The file could not be read. */
        IO_ERROR,
        /** The file or a part of it exceeds an {@code ImportLimits} bound. */
        LIMIT_EXCEEDED,
        /** The bytes are not a valid ONNX protobuf message. */
        MALFORMED_PROTOBUF,
        /** The model's opset is outside the supported range. */
        UNSUPPORTED_OPSET,
        /** An operator type (or domain) the engine does not implement. */
        UNSUPPORTED_OPERATOR,
        /** A known operator with an attribute value the engine does not implement. */
        UNSUPPORTED_ATTRIBUTE,
        /** A tensor of a data type the engine cannot use where it is used. */
        UNSUPPORTED_DATA_TYPE,
        /** A node reads a value that no node, input or initializer produces. */
        MISSING_INPUT,
        /** The graph has a cycle. */
        CYCLE,
        /** Shapes do not fit an operator (rank, dimension, broadcast). */
        SHAPE_MISMATCH,
        /** Structurally invalid: duplicate names, wrong input counts, bad constant values. */
        INVALID_MODEL
    }

    private final Reason reason;

    public ModelLoadException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public ModelLoadException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
