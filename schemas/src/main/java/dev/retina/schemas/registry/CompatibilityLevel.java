package dev.retina.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * The compatibility levels of the Confluent Schema Registry, checked with Avro's {@link SchemaCompatibility}.
 *
 * <ul>
 *   <li>BACKWARD: a reader with the new schema reads data written with the latest registered schema.</li>
 *   <li>FORWARD: a reader with the latest registered schema reads data written with the new schema.</li>
 *   <li>FULL: both.</li>
 *   <li>{@code _TRANSITIVE}: the same against every registered version, not only the latest.</li>
 *   <li>NONE: no check.</li>
 * </ul>
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /**
     * Parses a level name as the REST API spells it (case-insensitive).
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is none of them
     */
    public static CompatibilityLevel parse(String name) {
        if (name != null) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through to the descriptive error
            }
        }
        throw new IllegalArgumentException("Invalid compatibility level: expected one of "
            + List.of(values()) + ", found '" + name + "'");
    }

    /**
     * Checks a candidate schema against the versions already registered under a subject.
     *
     * @param candidate the schema to be registered
     * @param previous  the registered versions, oldest first; only the last is used unless the level is
     *                  transitive
     * @return a description of every incompatibility found; empty when the candidate is compatible
     */
    public List<String> check(Schema candidate, List<Schema> previous) {
        List<String> problems = new ArrayList<>();
        if (previous.isEmpty() || this == NONE) {
            return problems;
        }
        List<Schema> against = transitive ? previous : List.of(previous.get(previous.size() - 1));
        for (Schema existing : against) {
            if (backward) {
                describe(problems, "new schema cannot read data written with an earlier version", candidate,
                    SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing));
            }
            if (forward) {
                describe(problems, "an earlier version cannot read data written with the new schema", existing,
                    SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate));
            }
        }
        return problems;
    }

    private static void describe(List<String> problems, String direction, Schema reader,
                                 SchemaCompatibility.SchemaPairCompatibility pair) {
        for (String problem : describe(reader, pair)) {
            problems.add(direction + ": " + problem);
        }
    }

    /**
     * Human-readable incompatibilities of a reader/writer pair, each naming the field path in the reader schema
     * (e.g. {@code Lineage.partition}) as well as Avro's location; empty when the pair is compatible.
     */
    public static List<String> describe(Schema reader, SchemaCompatibility.SchemaPairCompatibility pair) {
        List<String> out = new ArrayList<>();
        if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return out;
        }
        for (SchemaCompatibility.Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            out.add(incompatibility.getType() + " at " + fieldPath(reader, incompatibility.getLocation())
                + " (" + incompatibility.getLocation() + "): " + incompatibility.getMessage());
        }
        if (out.isEmpty()) {
            out.add(pair.getDescription());
        }
        return out;
    }

    /** Turns Avro's location ({@code /fields/1/type/items}) into a reader field path ({@code Lineage.partition}). */
    static String fieldPath(Schema reader, String location) {
        StringBuilder path = new StringBuilder(reader.getName());
        Schema current = reader;
        String[] parts = location == null ? new String[0] : location.split("/");
        try {
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (part.isEmpty() || "type".equals(part) || "name".equals(part)) {
                    continue;
                }
                if ("fields".equals(part) && i + 1 < parts.length && current.getType() == Schema.Type.RECORD) {
                    Schema.Field field = current.getFields().get(Integer.parseInt(parts[++i]));
                    path.append('.').append(field.name());
                    current = field.schema();
                } else if ("items".equals(part) && current.getType() == Schema.Type.ARRAY) {
                    path.append("[]");
                    current = current.getElementType();
                } else if ("values".equals(part) && current.getType() == Schema.Type.MAP) {
                    path.append("{}");
                    current = current.getValueType();
                } else if (current.getType() == Schema.Type.UNION && part.chars().allMatch(Character::isDigit)) {
                    current = current.getTypes().get(Integer.parseInt(part));
                } else {
                    break;
                }
            }
        } catch (RuntimeException e) {
            // Location in a shape this walk does not know: the raw location is printed next to the path anyway.
        }
        return path.toString();
    }
}
