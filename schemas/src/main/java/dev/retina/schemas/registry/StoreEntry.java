package dev.retina.schemas.registry;

import java.util.Objects;

/**
 * One change to the embedded registry's state, as a {@link SchemaStore} persists it. Replaying all entries in the
 * order they were appended rebuilds the state; a later entry for the same {@link #key()} replaces an earlier one
 * (which is what lets the Kafka store live in a compacted topic).
 */
public sealed interface StoreEntry {

    /** Identity of what the entry describes; a later entry with an equal key supersedes an earlier one. */
    Object key();

    /**
     * A schema version under a subject.
     *
     * @param subject subject name
     * @param version version within the subject, from 1
     * @param id      global schema id; equal schema texts share one id across subjects
     * @param schema  the schema's canonical text ({@code Schema.toString()} of the parsed schema)
     * @param deleted soft-deleted: hidden from subject queries, still resolvable by id
     */
    record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) implements StoreEntry {
        public SchemaVersion {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(schema, "schema");
            if (version < 1 || id < 1) {
                throw new IllegalArgumentException("version and id must be >= 1, found version " + version
                    + ", id " + id);
            }
        }

        @Override
        public Object key() {
            return new SchemaKey(subject, version);
        }
    }

    /**
     * A compatibility setting.
     *
     * @param subject subject name, or null for the global setting
     * @param level   the level, or null when a subject-level setting was removed
     */
    record Config(String subject, CompatibilityLevel level) implements StoreEntry {
        @Override
        public Object key() {
            return new ConfigKey(subject);
        }
    }

    /** Key of a {@link SchemaVersion}. */
    record SchemaKey(String subject, int version) {
    }

    /** Key of a {@link Config}. */
    record ConfigKey(String subject) {
    }
}
