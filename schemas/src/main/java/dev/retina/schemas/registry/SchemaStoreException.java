package dev.retina.schemas.registry;

/** The embedded registry's storage failed to load or persist its state (reported as error 50001). */
public class SchemaStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SchemaStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public SchemaStoreException(String message) {
        super(message);
    }
}
