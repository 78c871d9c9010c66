package dev.retina.engine.data;

/**
 * A data set could not be read or does not have the expected layout. The message names the file or
 * specification, what was expected and what was found; {@link #reason()} classifies the failure.
 */
public final class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a data set was rejected. */
    public enum Reason {
        /** The dataset specification string (for example {@code idx:DIR}) is malformed. */
        BAD_SPEC,
        /** A file or directory that the specification requires does not exist. */
        MISSING_FILE,
        /** An IDX file does not start with the IDX magic number. */
        BAD_MAGIC,
        /** An IDX file holds an element type or rank this reader does not support. */
        UNSUPPORTED_FORMAT,
        /** A file ends before the data its header announces. */
        TRUNCATED,
        /** A file has bytes after the data its header announces. */
        TRAILING_DATA,
        /** Two files that belong together disagree (for example image and label counts). */
        MISMATCH,
        /** A header announces more data than this reader accepts. */
        TOO_LARGE,
        /** A value is outside its allowed range (for example a label index). */
        BAD_VALUE,
        /** The underlying file could not be read or written. */
        IO
    }

    private final Reason reason;

    public DatasetException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DatasetException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String getMessage() {
        return reason + ": " + super.getMessage();
    }
}
