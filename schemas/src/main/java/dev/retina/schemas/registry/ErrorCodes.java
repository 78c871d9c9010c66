package dev.retina.schemas.registry;

/** Error codes of the Confluent Schema Registry REST API, as carried in {@code {"error_code": N}} bodies. */
public final class ErrorCodes {

    /** Unknown route. */
    public static final int NOT_FOUND = 404;
    /** Subject not found. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Version not found under an existing subject. */
    public static final int VERSION_NOT_FOUND = 40402;
    /** Schema not found (by id, or under a subject in a lookup). */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** Subject has no subject-level compatibility configured. */
    public static final int SUBJECT_CONFIG_NOT_FOUND = 40408;
    /** Method not allowed on the route. */
    public static final int METHOD_NOT_ALLOWED = 405;
    /** Incompatible schema. */
    public static final int INCOMPATIBLE_SCHEMA = 409;
    /** Request body is not the JSON the endpoint expects. */
    public static final int UNPROCESSABLE_ENTITY = 422;
    /** Invalid (unparseable or non-Avro) schema. */
    public static final int INVALID_SCHEMA = 42201;
    /** Invalid version id. */
    public static final int INVALID_VERSION = 42202;
    /** Invalid compatibility level. */
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    /** Error in the backend data store. */
    public static final int STORE_ERROR = 50001;
    /** Operation timed out. */
    public static final int OPERATION_TIMEOUT = 50002;

    private ErrorCodes() {
    }
}
