package dev.retina.streams.stats;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not a valid serialized statistics state: unknown format version, truncated, or a value out of
 * range. A {@link SerializationException} so that Kafka's handlers treat it as a deserialization failure.
 */
public final class StatsFormatException extends SerializationException {

    private static final long serialVersionUID = 1L;

    public StatsFormatException(String message) {
        super(message);
    }
}
