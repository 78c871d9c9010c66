package dev.retina.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompatibilityLevelTest {

    private static final Schema OLD = EmbeddedSchemaRegistryTest.record(
        "{\"name\":\"items\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Item\","
            + "\"fields\":[{\"name\":\"n\",\"type\":\"int\"}]}}}");
    private static final Schema NEW = EmbeddedSchemaRegistryTest.record(
        "{\"name\":\"items\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Item\","
            + "\"fields\":[{\"name\":\"n\",\"type\":\"string\"}]}}}");

    @Test
    void parsesTheRestSpellings() {
        assertThat(CompatibilityLevel.parse("backward_transitive")).isEqualTo(CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(CompatibilityLevel.parse(" FULL ")).isEqualTo(CompatibilityLevel.FULL);
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 'SIDEWAYS'")
            .hasMessageContaining("FORWARD_TRANSITIVE");
        assertThatThrownBy(() -> CompatibilityLevel.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nothingToCheckAgainstIsCompatible() {
        assertThat(CompatibilityLevel.FULL_TRANSITIVE.check(NEW, List.of())).isEmpty();
        assertThat(CompatibilityLevel.NONE.check(NEW, List.of(OLD))).isEmpty();
    }

    @Test
    void problemsNameTheFieldPathInBothDirections() {
        List<String> problems = CompatibilityLevel.FULL.check(NEW, List.of(OLD));
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("new schema cannot read").contains("Thing.items[].n")
            .contains("TYPE_MISMATCH");
        assertThat(problems.get(1)).startsWith("an earlier version cannot read").contains("Thing.items[].n");
    }

    @Test
    void nonTransitiveLevelsLookOnlyAtTheLatest() {
        assertThat(CompatibilityLevel.BACKWARD.check(OLD, List.of(NEW, OLD))).isEmpty();
        assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.check(OLD, List.of(NEW, OLD))).hasSize(1);
    }
}
