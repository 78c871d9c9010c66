package dev.retina.schemas.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SchemaStore} in the heap: state lives as long as this object. Passing the same instance to a new
 * registry simulates a restart.
 */
public final class InMemorySchemaStore implements SchemaStore {

    private final List<StoreEntry> log = new ArrayList<>();

    @Override
    public synchronized List<StoreEntry> loadAll() {
        return List.copyOf(log);
    }

    @Override
    public synchronized void append(StoreEntry entry) {
        log.add(entry);
    }

    @Override
    public String describe() {
        return "in-memory store";
    }

    @Override
    public void close() {
        // Nothing to release; the entries stay readable for a later registry on the same instance.
    }
}
