package dev.retina.schemas.registry;

import java.util.Objects;

import org.apache.avro.Schema;

/**
 * One version of a subject, as the registry reports it.
 *
 * @param subject subject name, e.g. {@code images-value}
 * @param version version number within the subject, from 1
 * @param id      global schema id (the one in the wire format)
 * @param schema  the parsed Avro schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
