package dev.retina.schemas.registry;

import java.util.List;

/**
 * Answer of a compatibility test.
 *
 * @param compatible whether the schema may be registered under the subject
 * @param messages   the incompatibilities found (empty when compatible, or when the registry gave no details)
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }
}
