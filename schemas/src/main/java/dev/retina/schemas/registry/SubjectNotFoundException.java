package dev.retina.schemas.registry;

/** 40401: the subject does not exist (or all its versions were deleted). */
public class SubjectNotFoundException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public SubjectNotFoundException(int httpStatus, int errorCode, String message) {
        super(Reason.SUBJECT_NOT_FOUND, httpStatus, errorCode, message);
    }
}
