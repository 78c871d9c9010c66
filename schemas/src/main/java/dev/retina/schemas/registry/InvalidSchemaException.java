package dev.retina.schemas.registry;

/** 422 (42201): the registry could not accept the schema text (does not parse, or not Avro). */
public class InvalidSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public InvalidSchemaException(int httpStatus, int errorCode, String message) {
        super(Reason.INVALID_SCHEMA, httpStatus, errorCode, message);
    }
}
