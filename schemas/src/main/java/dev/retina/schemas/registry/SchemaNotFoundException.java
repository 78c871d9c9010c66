package dev.retina.schemas.registry;

/** 40403: no schema has the requested id, or the schema is not registered under the subject. */
public class SchemaNotFoundException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public SchemaNotFoundException(int httpStatus, int errorCode, String message) {
        super(Reason.SCHEMA_NOT_FOUND, httpStatus, errorCode, message);
    }
}
