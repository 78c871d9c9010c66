package dev.retina.streams.model;

/** No model is loaded, so a record cannot be classified; the record is dead-lettered as MODEL_UNAVAILABLE. */
public final class ModelUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelUnavailableException(String message) {
        super(message);
    }
}
