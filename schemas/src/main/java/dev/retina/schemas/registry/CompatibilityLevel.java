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
                describe(problems, "new schema cannot read data written with an earlier version",
                    SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing));
            }
            if (forward) {
                describe(problems, "an earlier version cannot read data written with the new schema",
                    SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate));
            }
        }
        return problems;
    }

    private static void describe(List<String> problems, String direction,
                                 SchemaCompatibility.SchemaPairCompatibility pair) {
        if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (SchemaCompatibility.Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            problems.add(direction + ": " + incompatibility.getType() + " at " + incompatibility.getLocation()
                + ": " + incompatibility.getMessage());
        }
        if (pair.getResult().getIncompatibilities().isEmpty()) {
            problems.add(direction + ": " + pair.getDescription());
        }
    }
}
