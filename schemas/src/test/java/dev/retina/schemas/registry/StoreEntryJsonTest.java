package dev.retina.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StoreEntryJsonTest {

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void schemaVersionLayoutAndRoundTrip() {
        StoreEntry entry = new StoreEntry.SchemaVersion("images-value", 2, 7, "\"string\"", false);
        assertThat(text(StoreEntryJson.key(entry)))
            .isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"images-value\",\"version\":2,\"magic\":1}");
        assertThat(text(StoreEntryJson.value(entry))).isEqualTo(
            "{\"subject\":\"images-value\",\"version\":2,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":false}");
        assertThat(StoreEntryJson.decode(StoreEntryJson.key(entry), StoreEntryJson.value(entry))).contains(entry);
    }

    @Test
    void configLayoutAndRoundTrip() {
        StoreEntry global = new StoreEntry.Config(null, CompatibilityLevel.FULL);
        assertThat(text(StoreEntryJson.key(global))).isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
        assertThat(text(StoreEntryJson.value(global))).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
        assertThat(StoreEntryJson.decode(StoreEntryJson.key(global), StoreEntryJson.value(global))).contains(global);

        StoreEntry removed = new StoreEntry.Config("s", null);
        assertThat(StoreEntryJson.value(removed)).as("removal is a tombstone").isNull();
        assertThat(StoreEntryJson.decode(StoreEntryJson.key(removed), null)).contains(removed);
    }

    @Test
    void equalKeysSupersede() {
        StoreEntry a = new StoreEntry.SchemaVersion("s", 1, 1, "\"int\"", false);
        StoreEntry b = new StoreEntry.SchemaVersion("s", 1, 1, "\"int\"", true);
        assertThat(a.key()).isEqualTo(b.key());
        assertThat(StoreEntryJson.key(a)).isEqualTo(StoreEntryJson.key(b));
    }

    @Test
    void skipsRecordsItDoesNotUse() {
        assertThat(StoreEntryJson.decode(bytes("{\"keytype\":\"NOOP\",\"magic\":0}"), null)).isEqualTo(Optional.empty());
        assertThat(StoreEntryJson.decode(bytes("{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1}"), null))
            .isEmpty();
    }

    @Test
    void malformedRecordsSayWhatWasExpected() {
        assertThatThrownBy(() -> StoreEntryJson.decode(bytes("not json"), null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> StoreEntryJson.decode(bytes("{\"keytype\":\"SCHEMA\"}"),
            bytes("{\"subject\":\"s\",\"version\":\"one\",\"id\":1,\"schema\":\"x\"}")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("integer 'version'");
        assertThatThrownBy(() -> StoreEntryJson.decode(bytes("{\"keytype\":\"CONFIG\",\"subject\":null}"),
            bytes("{\"compatibilityLevel\":\"SIDEWAYS\"}")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SIDEWAYS");
        assertThatThrownBy(() -> new StoreEntry.SchemaVersion("s", 0, 1, "x", false))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 0");
    }
}
