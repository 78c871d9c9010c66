package dev.retina.schemas.registry;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON encoding of {@link StoreEntry} as Kafka record key and value, in the layout of Confluent's {@code _schemas}
 * topic:
 *
 * <pre>
 * schema version  key   {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 *                 value {"subject":"s","version":1,"id":7,"schema":"...","deleted":false}
 * compatibility   key   {"keytype":"CONFIG","subject":null|"s","magic":0}
 *                 value {"compatibilityLevel":"BACKWARD"}, or null when a subject's setting was removed
 * </pre>
 *
 * Keys are written with a fixed field order, so equal keys are equal bytes and compaction keeps the latest.
 * Records with other key types (such as Confluent's NOOP) are skipped on read.
 */
final class StoreEntryJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreEntryJson() {
    }

    static byte[] key(StoreEntry entry) {
        ObjectNode key = JSON.createObjectNode();
        if (entry instanceof StoreEntry.SchemaVersion v) {
            key.put("keytype", "SCHEMA").put("subject", v.subject()).put("version", v.version()).put("magic", 1);
        } else if (entry instanceof StoreEntry.Config c) {
            key.put("keytype", "CONFIG").put("subject", c.subject()).put("magic", 0);
        }
        return bytes(key);
    }

    static byte[] value(StoreEntry entry) {
        if (entry instanceof StoreEntry.SchemaVersion v) {
            return bytes(JSON.createObjectNode().put("subject", v.subject()).put("version", v.version())
                .put("id", v.id()).put("schema", v.schema()).put("deleted", v.deleted()));
        }
        StoreEntry.Config c = (StoreEntry.Config) entry;
        return c.level() == null ? null : bytes(JSON.createObjectNode().put("compatibilityLevel", c.level().name()));
    }

    /**
     * Decodes one record of the store topic.
     *
     * @return the entry, or empty for records this store does not use (unknown key types, schema tombstones)
     * @throws IllegalArgumentException describing what was expected when the record is malformed
     */
    static Optional<StoreEntry> decode(byte[] keyBytes, byte[] valueBytes) {
        JsonNode key = tree(keyBytes, "key");
        String keyType = text(key, "keytype", "key", false);
        if ("SCHEMA".equals(keyType)) {
            if (valueBytes == null) {
                return Optional.empty();
            }
            JsonNode value = tree(valueBytes, "value");
            return Optional.of(new StoreEntry.SchemaVersion(text(value, "subject", "value", false),
                integer(value, "version"), integer(value, "id"), text(value, "schema", "value", false),
                value.path("deleted").asBoolean(false)));
        }
        if ("CONFIG".equals(keyType)) {
            String subject = text(key, "subject", "key", true);
            if (valueBytes == null) {
                return Optional.of(new StoreEntry.Config(subject, null));
            }
            JsonNode value = tree(valueBytes, "value");
            return Optional.of(new StoreEntry.Config(subject,
                CompatibilityLevel.parse(text(value, "compatibilityLevel", "value", false))));
        }
        return Optional.empty();
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("JSON tree could not be written", e);
        }
    }

    private static JsonNode tree(byte[] bytes, String what) {
        if (bytes == null) {
            throw new IllegalArgumentException("expected a JSON object as record " + what + ", found null");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("expected a JSON object as record " + what + ", found "
                    + (node == null ? "nothing" : node.getNodeType()));
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException("expected a JSON object as record " + what + ", found invalid JSON: "
                + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field, String what, boolean nullable) {
        JsonNode n = node.get(field);
        if (nullable && (n == null || n.isNull())) {
            return null;
        }
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("expected a string '" + field + "' in the record " + what
                + ", found " + node);
        }
        return n.textValue();
    }

    private static int integer(JsonNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null || !n.isInt()) {
            throw new IllegalArgumentException("expected an integer '" + field + "' in the record value, found "
                + node);
        }
        return n.intValue();
    }
}
