package dev.retina.engine.model;

/**
 * A model package (model.onnx + labels.txt + preprocess.json) is incomplete, malformed or inconsistent. The message
 * names the file or path and what was expected versus what was found. Problems inside the ONNX graph itself are
 * reported by {@link dev.retina.engine.ModelLoadException} instead.
 */
public final class ModelPackageException extends RuntimeException {

    /** Why a package was rejected; stable codes for callers (e.g. the model manager's validation metrics). */
    public enum Reason {
        /** A required file is missing or is not a regular file. */
        MISSING_FILE,
        /** A file exists but could not be read. */
        IO_ERROR,
        /** A file is larger than its limit (the import limit for model.onnx); it was not read. */
        TOO_LARGE,
        /** labels.txt is empty, not UTF-8, has a blank line inside or a duplicate label. */
        INVALID_LABELS,
        /** preprocess.json is not valid JSON or not a valid preprocessing spec. */
        INVALID_PREPROCESS,
        /** The model does not fit the labels or the spec (output size, input shape). */
        MODEL_MISMATCH,
        /** The model bytes do not have the expected SHA-256. */
        SHA256_MISMATCH
    }

    private final Reason reason;

    public ModelPackageException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public ModelPackageException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
