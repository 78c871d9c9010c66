package dev.retina.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations of the Confluent REST API on the registry state; every change is appended to the
 * {@link SchemaStore} before it is applied and answered. One lock serialises everything, which keeps ids and
 * versions dense and the store's log in the same order as the state.
 */
final class RegistryService {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryService.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaStore store;
    private final RegistryState state;

    RegistryService(SchemaStore store, CompatibilityLevel defaultLevel) {
        this.store = Objects.requireNonNull(store, "store");
        this.state = new RegistryState(defaultLevel);
        for (StoreEntry entry : store.loadAll()) {
            state.apply(entry);
        }
    }

    // ---- schemas ----

    synchronized JsonNode register(String subject, JsonNode body) {
        Schema schema = parseCandidate(body);
        String canonical = schema.toString();
        List<StoreEntry.SchemaVersion> live = state.liveVersions(subject);
        for (StoreEntry.SchemaVersion v : live) {
            if (v.schema().equals(canonical)) {
                return JSON.createObjectNode().put("id", v.id());
            }
        }
        CompatibilityLevel level = state.effectiveLevel(subject);
        List<String> problems = level.check(schema, schemas(live));
        if (!problems.isEmpty()) {
            throw new RegistryApiError(409, ErrorCodes.INCOMPATIBLE_SCHEMA,
                "Schema being registered is incompatible with an earlier schema for subject '" + subject
                    + "' (compatibility " + level + "), details: " + problems);
        }
        Integer existing = state.idOf(canonical);
        int id = existing != null ? existing : state.nextId();
        StoreEntry.SchemaVersion entry =
            new StoreEntry.SchemaVersion(subject, state.nextVersion(subject), id, canonical, false);
        persist(entry);
        LOG.info("Registered schema {} as version {} of subject {}", id, entry.version(), subject);
        return JSON.createObjectNode().put("id", id);
    }

    synchronized JsonNode lookup(String subject, JsonNode body) {
        Schema schema = parseCandidate(body);
        String canonical = schema.toString();
        List<StoreEntry.SchemaVersion> live = requireSubject(subject);
        for (StoreEntry.SchemaVersion v : live) {
            if (v.schema().equals(canonical)) {
                return versionNode(v);
            }
        }
        throw RegistryApiError.schemaNotFound("Schema not found under subject '" + subject + "'.");
    }

    synchronized JsonNode schemaById(int id) {
        String text = requireId(id);
        return JSON.createObjectNode().put("schema", text);
    }

    synchronized String rawSchemaById(int id) {
        return requireId(id);
    }

    synchronized JsonNode subjectVersionsOfId(int id) {
        requireId(id);
        ArrayNode array = JSON.createArrayNode();
        for (StoreEntry.SchemaVersion v : state.usesOf(id)) {
            array.addObject().put("subject", v.subject()).put("version", v.version());
        }
        return array;
    }

    synchronized JsonNode subjects() {
        ArrayNode array = JSON.createArrayNode();
        state.liveSubjects().forEach(array::add);
        return array;
    }

    synchronized JsonNode versions(String subject) {
        ArrayNode array = JSON.createArrayNode();
        requireSubject(subject).forEach(v -> array.add(v.version()));
        return array;
    }

    synchronized JsonNode version(String subject, String version) {
        return versionNode(findVersion(subject, version));
    }

    synchronized String rawVersion(String subject, String version) {
        return findVersion(subject, version).schema();
    }

    synchronized JsonNode deleteSubject(String subject, boolean permanent) {
        if (permanent) {
            throw new RegistryApiError(422, ErrorCodes.UNPROCESSABLE_ENTITY,
                "Permanent deletion is not supported by the embedded registry; soft-delete only.");
        }
        List<StoreEntry.SchemaVersion> live = requireSubject(subject);
        ArrayNode deleted = JSON.createArrayNode();
        for (StoreEntry.SchemaVersion v : live) {
            persist(new StoreEntry.SchemaVersion(v.subject(), v.version(), v.id(), v.schema(), true));
            deleted.add(v.version());
        }
        LOG.info("Soft-deleted subject {} (versions {})", subject, deleted);
        return deleted;
    }

    // ---- compatibility ----

    synchronized JsonNode testCompatibility(String subject, String version, JsonNode body, boolean verbose) {
        Schema schema = parseCandidate(body);
        CompatibilityLevel level = state.effectiveLevel(subject);
        List<String> problems;
        if (isLatest(version)) {
            // Like Confluent: with no versions yet, anything is compatible; transitive levels check them all.
            problems = level.check(schema, schemas(state.liveVersions(subject)));
        } else {
            StoreEntry.SchemaVersion against = findVersion(subject, version);
            problems = level.check(schema, List.of(state.schema(against.id())));
        }
        ObjectNode answer = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if (verbose) {
            ArrayNode messages = answer.putArray("messages");
            problems.forEach(messages::add);
        }
        return answer;
    }

    // ---- config ----

    synchronized JsonNode globalConfig() {
        return JSON.createObjectNode().put("compatibilityLevel", state.globalLevel().name());
    }

    synchronized JsonNode subjectConfig(String subject, boolean defaultToGlobal) {
        CompatibilityLevel own = state.subjectLevel(subject);
        if (own == null && !defaultToGlobal) {
            throw new RegistryApiError(404, ErrorCodes.SUBJECT_CONFIG_NOT_FOUND,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        return JSON.createObjectNode().put("compatibilityLevel", (own != null ? own : state.globalLevel()).name());
    }

    synchronized JsonNode updateConfig(String subject, JsonNode body) {
        JsonNode value = body.get("compatibility");
        if (value == null || !value.isTextual()) {
            throw new RegistryApiError(422, ErrorCodes.INVALID_COMPATIBILITY_LEVEL,
                "Invalid compatibility level: expected {\"compatibility\": \"BACKWARD|FORWARD|FULL|..._TRANSITIVE"
                    + "|NONE\"}, found " + body);
        }
        CompatibilityLevel level;
        try {
            level = CompatibilityLevel.parse(value.textValue());
        } catch (IllegalArgumentException e) {
            throw new RegistryApiError(422, ErrorCodes.INVALID_COMPATIBILITY_LEVEL, e.getMessage());
        }
        persist(new StoreEntry.Config(subject, level));
        LOG.info("Compatibility of {} set to {}", subject == null ? "(global)" : subject, level);
        return JSON.createObjectNode().put("compatibility", level.name());
    }

    synchronized JsonNode deleteSubjectConfig(String subject) {
        CompatibilityLevel own = state.subjectLevel(subject);
        if (own == null) {
            throw new RegistryApiError(404, ErrorCodes.SUBJECT_CONFIG_NOT_FOUND,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        persist(new StoreEntry.Config(subject, null));
        return JSON.createObjectNode().put("compatibilityLevel", own.name());
    }

    // ---- helpers ----

    private void persist(StoreEntry entry) {
        store.append(entry);
        state.apply(entry);
    }

    private List<Schema> schemas(List<StoreEntry.SchemaVersion> versions) {
        List<Schema> schemas = new ArrayList<>(versions.size());
        for (StoreEntry.SchemaVersion v : versions) {
            schemas.add(state.schema(v.id()));
        }
        return schemas;
    }

    private List<StoreEntry.SchemaVersion> requireSubject(String subject) {
        List<StoreEntry.SchemaVersion> live = state.liveVersions(subject);
        if (live.isEmpty()) {
            throw RegistryApiError.subjectNotFound(subject);
        }
        return live;
    }

    private String requireId(int id) {
        String text = state.schemaText(id);
        if (text == null) {
            throw RegistryApiError.schemaNotFound("Schema " + id + " not found");
        }
        return text;
    }

    private static boolean isLatest(String version) {
        return "latest".equals(version) || "-1".equals(version);
    }

    private StoreEntry.SchemaVersion findVersion(String subject, String version) {
        int number = 0;
        if (!isLatest(version)) {
            try {
                number = Integer.parseInt(version);
            } catch (NumberFormatException e) {
                number = 0;
            }
            if (number < 1) {
                throw new RegistryApiError(422, ErrorCodes.INVALID_VERSION, "The specified version '" + version
                    + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "
                    + "\"latest\"");
            }
        }
        List<StoreEntry.SchemaVersion> live = requireSubject(subject);
        if (number == 0) {
            return live.get(live.size() - 1);
        }
        for (StoreEntry.SchemaVersion v : live) {
            if (v.version() == number) {
                return v;
            }
        }
        throw RegistryApiError.versionNotFound(subject, number);
    }

    private static ObjectNode versionNode(StoreEntry.SchemaVersion v) {
        return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
            .put("schema", v.schema());
    }

    /** Parses {@code {"schema": "...", "schemaType": "AVRO"}}; anything else is a 422 with what was found. */
    private static Schema parseCandidate(JsonNode body) {
        JsonNode type = body.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equals(type.asText())) {
            throw RegistryApiError.invalidSchema("Invalid schema: only schemaType AVRO is supported, found "
                + type.asText());
        }
        JsonNode references = body.get("references");
        if (references != null && references.isArray() && references.size() > 0) {
            throw RegistryApiError.invalidSchema("Invalid schema: schema references are not supported by the "
                + "embedded registry, found " + references.size());
        }
        JsonNode text = body.get("schema");
        if (text == null || !text.isTextual()) {
            throw RegistryApiError.invalidSchema("Invalid schema: expected a string field 'schema' in the body, "
                + "found " + (text == null ? "none" : text.getNodeType()));
        }
        try {
            return new Schema.Parser().parse(text.textValue());
        } catch (AvroRuntimeException | IllegalArgumentException | NullPointerException e) {
            throw RegistryApiError.invalidSchema("Invalid schema: " + e.getMessage());
        }
    }
}
