package dev.retina.schemas.registry;

import java.util.List;

/**
 * Durable storage of the embedded registry's state as an append-only log of {@link StoreEntry} changes.
 * The registry calls {@link #loadAll()} once at start, then {@link #append} for every change, from one thread at a
 * time, and answers the HTTP request only after {@code append} has returned.
 */
public interface SchemaStore extends AutoCloseable {

    /**
     * Reads every persisted entry, in append order (entries superseded by a later one with the same key may be
     * missing, as after log compaction).
     *
     * @throws SchemaStoreException when the storage cannot be read
     */
    List<StoreEntry> loadAll();

    /**
     * Persists one entry; when this returns, a later {@link #loadAll()} (also in a new process) sees it.
     *
     * @throws SchemaStoreException when the entry could not be persisted; the registry then rejects the change
     */
    void append(StoreEntry entry);

    /** Short description for logs, e.g. the topic and bootstrap servers. */
    String describe();

    @Override
    void close();
}
