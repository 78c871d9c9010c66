package dev.retina.engine.io;

/** A {@code .npy} file is malformed, truncated or uses something this reader does not support. */
public final class NpyFormatException extends RuntimeException {

    public NpyFormatException(String message) {
        super(message);
    }

    public NpyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
