package dev.retina.schemas.registry;

/** An error answer of the embedded registry: HTTP status plus Confluent error code and message. */
final class RegistryApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final int errorCode;

    RegistryApiError(int status, int errorCode, String message) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    int status() {
        return status;
    }

    int errorCode() {
        return errorCode;
    }

    static RegistryApiError subjectNotFound(String subject) {
        return new RegistryApiError(404, ErrorCodes.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    static RegistryApiError versionNotFound(String subject, int version) {
        return new RegistryApiError(404, ErrorCodes.VERSION_NOT_FOUND,
            "Version " + version + " not found for subject '" + subject + "'.");
    }

    static RegistryApiError schemaNotFound(String what) {
        return new RegistryApiError(404, ErrorCodes.SCHEMA_NOT_FOUND, what);
    }

    static RegistryApiError invalidSchema(String message) {
        return new RegistryApiError(422, ErrorCodes.INVALID_SCHEMA, message);
    }
}
