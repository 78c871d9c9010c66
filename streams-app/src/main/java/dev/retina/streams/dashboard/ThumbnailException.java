package dev.retina.streams.dashboard;

/**
 * A thumbnail could not be made. {@link #reason()} is a stable code: the image decoder's reason (EMPTY,
 * UNSUPPORTED_FORMAT, CORRUPT_IMAGE, IMAGE_TOO_LARGE) or ENCODE when the JPEG could not be written.
 */
public final class ThumbnailException extends RuntimeException {

    private final String reason;

    public ThumbnailException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
