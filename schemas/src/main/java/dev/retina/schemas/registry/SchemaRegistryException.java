package dev.retina.schemas.registry;

/**
 * A schema-registry request failed. {@link #errorCode()} is the Confluent error code from the response body
 * ({@code {"error_code": N, "message": "..."}}), or the HTTP status when the body had none, or {@code -1}
 * when no response arrived at all; {@link #reason()} classifies it.
 *
 * <p>The subclasses name the cases callers handle differently: {@link SubjectNotFoundException} (40401),
 * {@link VersionNotFoundException} (40402), {@link SchemaNotFoundException} (40403),
 * {@link IncompatibleSchemaException} (409) and {@link InvalidSchemaException} (422 / 42201).
 */
public class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a registry request failed. */
    public enum Reason {
        /** 40401: the subject does not exist. */
        SUBJECT_NOT_FOUND,
        /** 40402: the subject exists but not that version. */
        VERSION_NOT_FOUND,
        /** 40403: no schema with that id, or the schema is not registered under the subject. */
        SCHEMA_NOT_FOUND,
        /** 40408: the subject has no subject-level compatibility setting. */
        SUBJECT_CONFIG_NOT_FOUND,
        /** 409: the schema is incompatible with earlier versions under the subject's compatibility level. */
        INCOMPATIBLE,
        /** 422 / 42201: the schema does not parse or is not an Avro schema. */
        INVALID_SCHEMA,
        /** 42202: a version that is neither a positive integer nor "latest". */
        INVALID_VERSION,
        /** 42203: an unknown compatibility level. */
        INVALID_COMPATIBILITY_LEVEL,
        /** 401 / 403: credentials missing or refused. */
        UNAUTHORIZED,
        /** Another 4xx answer: the request itself was wrong. */
        BAD_REQUEST,
        /** 5xx after all retries: the registry (or its storage) failed. */
        SERVER_ERROR,
        /** No answer after all retries: connection refused, reset or timed out. */
        UNREACHABLE,
        /** A 2xx answer whose body was not what the API promises. */
        BAD_RESPONSE,
        /** The schema exists but is not Avro (PROTOBUF, JSON): this client cannot use it. */
        UNSUPPORTED_SCHEMA_TYPE,
        /** The calling thread was interrupted while waiting. */
        INTERRUPTED
    }

    private final int errorCode;
    private final int httpStatus;
    private final Reason reason;

    public SchemaRegistryException(Reason reason, int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(Reason reason, int httpStatus, int errorCode, String message) {
        this(reason, httpStatus, errorCode, message, null);
    }

    /** Confluent error code (e.g. 40403), the HTTP status when the body carried none, or -1 without a response. */
    public int errorCode() {
        return errorCode;
    }

    /** HTTP status of the answer, or -1 when no answer arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    public Reason reason() {
        return reason;
    }

    /** Whether retrying the same request later may succeed (server errors, unreachable registry). */
    public boolean isRetriable() {
        return reason == Reason.SERVER_ERROR || reason == Reason.UNREACHABLE;
    }

    /**
     * Builds the most specific exception for an error answer.
     *
     * @param httpStatus HTTP status of the answer
     * @param errorCode  {@code error_code} of the body, or the HTTP status if the body had none
     * @param message    message of the body, or a description of the request
     */
    public static SchemaRegistryException fromResponse(int httpStatus, int errorCode, String message) {
        switch (errorCode) {
            case ErrorCodes.SUBJECT_NOT_FOUND:
                return new SubjectNotFoundException(httpStatus, errorCode, message);
            case ErrorCodes.VERSION_NOT_FOUND:
                return new VersionNotFoundException(httpStatus, errorCode, message);
            case ErrorCodes.SCHEMA_NOT_FOUND:
                return new SchemaNotFoundException(httpStatus, errorCode, message);
            case ErrorCodes.SUBJECT_CONFIG_NOT_FOUND:
                return new SchemaRegistryException(Reason.SUBJECT_CONFIG_NOT_FOUND, httpStatus, errorCode, message);
            case ErrorCodes.INCOMPATIBLE_SCHEMA:
                return new IncompatibleSchemaException(httpStatus, errorCode, message);
            case ErrorCodes.INVALID_SCHEMA:
                return new InvalidSchemaException(httpStatus, errorCode, message);
            case ErrorCodes.INVALID_VERSION:
                return new SchemaRegistryException(Reason.INVALID_VERSION, httpStatus, errorCode, message);
            case ErrorCodes.INVALID_COMPATIBILITY_LEVEL:
                return new SchemaRegistryException(Reason.INVALID_COMPATIBILITY_LEVEL, httpStatus, errorCode,
                    message);
            default:
                break;
        }
        if (httpStatus == 409) {
            return new IncompatibleSchemaException(httpStatus, errorCode, message);
        }
        if (httpStatus == 422) {
            return new InvalidSchemaException(httpStatus, errorCode, message);
        }
        if (httpStatus == 401 || httpStatus == 403) {
            return new SchemaRegistryException(Reason.UNAUTHORIZED, httpStatus, errorCode, message);
        }
        if (httpStatus >= 500) {
            return new SchemaRegistryException(Reason.SERVER_ERROR, httpStatus, errorCode, message);
        }
        return new SchemaRegistryException(Reason.BAD_REQUEST, httpStatus, errorCode, message);
    }
}
