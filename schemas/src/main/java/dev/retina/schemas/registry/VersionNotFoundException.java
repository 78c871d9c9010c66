package dev.retina.schemas.registry;

/** 40402: the subject has no such version. */
public class VersionNotFoundException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public VersionNotFoundException(int httpStatus, int errorCode, String message) {
        super(Reason.VERSION_NOT_FOUND, httpStatus, errorCode, message);
    }
}
