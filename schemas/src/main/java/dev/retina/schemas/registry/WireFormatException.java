package dev.retina.schemas.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not a valid Confluent-framed Avro record for the reader: the record is poison and should be
 * dead-lettered, not retried. {@link #reason()} says which check failed; the message says what was expected and
 * what was found. Failures to reach the registry are not reported with this type (they are transient).
 */
public class WireFormatException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** Which check the bytes failed. */
    public enum Reason {
        /** Zero bytes (a null value is a tombstone and deserializes to null instead). */
        EMPTY,
        /** Fewer than the 5 header bytes (magic byte + 4-byte schema id). */
        TOO_SHORT,
        /** The first byte is not the magic byte 0. */
        BAD_MAGIC,
        /** The registry knows no schema with the id in the header. */
        UNKNOWN_SCHEMA_ID,
        /**
         * The writer schema of the id cannot be read into the reader class (schema resolution fails), or is not an
         * Avro schema at all (Protobuf, JSON Schema).
         */
        INCOMPATIBLE_WRITER,
        /** The Avro body ends before the writer schema says it should. */
        TRUNCATED,
        /** The Avro body does not decode (negative length, bad union or enum index, size over a limit, ...). */
        MALFORMED_BODY,
        /** The Avro body decodes but bytes are left over after it. */
        TRAILING_BYTES
    }

    private final Reason reason;
    private final int schemaId;

    public WireFormatException(Reason reason, int schemaId, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
        this.schemaId = schemaId;
    }

    public WireFormatException(Reason reason, int schemaId, String message) {
        this(reason, schemaId, message, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The schema id read from the header, or -1 when the header itself was bad. */
    public int schemaId() {
        return schemaId;
    }
}
