package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ModelFilterTest {

    @Test
    void nameMatchesEveryVersion() {
        ModelFilter f = ModelFilter.parse("shapes");
        assertThat(f).isEqualTo(new ModelFilter("shapes", null));
        assertThat(f.matches("shapes", "1")).isTrue();
        assertThat(f.matches("shapes", "2")).isTrue();
        assertThat(f.matches("digits", "1")).isFalse();
    }

    @Test
    void nameAndVersionMatchOneVersion() {
        ModelFilter f = ModelFilter.parse("shapes:2");
        assertThat(f.matches("shapes", "2")).isTrue();
        assertThat(f.matches("shapes", "1")).isFalse();
        assertThat(f).hasToString("shapes:2");
    }

    @Test
    void versionMayHoldColons() {
        assertThat(ModelFilter.parse("m:2024:rc1")).isEqualTo(new ModelFilter("m", "2024:rc1"));
    }

    @Test
    void blankPartsAreRefused() {
        for (String bad : new String[] {"", ":", "shapes:", ":1", " "}) {
            assertThatThrownBy(() -> ModelFilter.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("expected NAME or NAME:VERSION (e.g. shapes or shapes:2), found '" + bad + "'");
        }
    }
}
