package dev.retina.schemas.registry;

/** 409: the schema breaks the subject's compatibility level; the message lists the incompatibilities. */
public class IncompatibleSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public IncompatibleSchemaException(int httpStatus, int errorCode, String message) {
        super(Reason.INCOMPATIBLE, httpStatus, errorCode, message);
    }
}
