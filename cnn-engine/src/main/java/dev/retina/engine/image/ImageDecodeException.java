package dev.retina.engine.image;

/**
 * An image could not be decoded. {@link #reason()} is a stable code whose names match the dead-letter reasons of
 * the streams application; the message says what was expected and what was found (format, dimensions, sizes).
 */
public final class ImageDecodeException extends RuntimeException {

    /** Why decoding failed. */
    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** The bytes are not JPEG, PNG, GIF or BMP (judged by the file signature). */
        UNSUPPORTED_FORMAT,
        /** A supported format whose header or data is malformed or truncated. */
        CORRUPT_IMAGE,
        /** The file or its declared pixel count exceeds the decoder's limits; rejected before decoding pixels. */
        IMAGE_TOO_LARGE
    }

    private final Reason reason;

    public ImageDecodeException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public ImageDecodeException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
