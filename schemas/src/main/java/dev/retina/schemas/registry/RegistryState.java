package dev.retina.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.avro.Schema;

/**
 * The embedded registry's state, rebuilt by applying {@link StoreEntry} changes in order. Not thread-safe: the
 * registry guards it with one lock.
 */
final class RegistryState {

    private final Map<Integer, String> schemaById = new HashMap<>();
    private final Map<Integer, Schema> parsedById = new HashMap<>();
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private final Map<String, TreeMap<Integer, StoreEntry.SchemaVersion>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private final CompatibilityLevel defaultLevel;
    private CompatibilityLevel globalLevel;
    private int maxId;

    RegistryState(CompatibilityLevel defaultLevel) {
        this.defaultLevel = defaultLevel;
        this.globalLevel = defaultLevel;
    }

    void apply(StoreEntry entry) {
        if (entry instanceof StoreEntry.SchemaVersion v) {
            subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
            schemaById.putIfAbsent(v.id(), v.schema());
            idBySchema.merge(v.schema(), v.id(), Math::min);
            maxId = Math.max(maxId, v.id());
        } else if (entry instanceof StoreEntry.Config c) {
            if (c.subject() == null) {
                globalLevel = c.level() == null ? defaultLevel : c.level();
            } else if (c.level() == null) {
                subjectLevels.remove(c.subject());
            } else {
                subjectLevels.put(c.subject(), c.level());
            }
        }
    }

    /** The id of a canonical schema text if any subject ever registered it, else null. */
    Integer idOf(String canonicalSchema) {
        return idBySchema.get(canonicalSchema);
    }

    int nextId() {
        return maxId + 1;
    }

    String schemaText(int id) {
        return schemaById.get(id);
    }

    /** The parsed schema of an id (parsed once; ids never change their schema). */
    Schema schema(int id) {
        String text = schemaById.get(id);
        if (text == null) {
            return null;
        }
        return parsedById.computeIfAbsent(id, k -> new Schema.Parser().parse(text));
    }

    /** Versions of a subject that are not deleted, ascending; empty when the subject is unknown. */
    List<StoreEntry.SchemaVersion> liveVersions(String subject) {
        List<StoreEntry.SchemaVersion> live = new ArrayList<>();
        TreeMap<Integer, StoreEntry.SchemaVersion> versions = subjects.get(subject);
        if (versions != null) {
            for (StoreEntry.SchemaVersion v : versions.values()) {
                if (!v.deleted()) {
                    live.add(v);
                }
            }
        }
        return live;
    }

    /** The next version number of a subject (deleted versions keep their numbers). */
    int nextVersion(String subject) {
        TreeMap<Integer, StoreEntry.SchemaVersion> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
    }

    /** Subjects with at least one live version, sorted. */
    List<String> liveSubjects() {
        List<String> names = new ArrayList<>();
        for (String subject : subjects.keySet()) {
            if (!liveVersions(subject).isEmpty()) {
                names.add(subject);
            }
        }
        return names;
    }

    /** (subject, version) pairs that use a schema id, live ones only. */
    List<StoreEntry.SchemaVersion> usesOf(int id) {
        List<StoreEntry.SchemaVersion> uses = new ArrayList<>();
        for (String subject : subjects.keySet()) {
            for (StoreEntry.SchemaVersion v : liveVersions(subject)) {
                if (v.id() == id) {
                    uses.add(v);
                }
            }
        }
        return uses;
    }

    CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    /** The subject's own level, or null when it has none. */
    CompatibilityLevel subjectLevel(String subject) {
        return subjectLevels.get(subject);
    }

    CompatibilityLevel effectiveLevel(String subject) {
        CompatibilityLevel own = subjectLevels.get(subject);
        return own != null ? own : globalLevel;
    }
}
