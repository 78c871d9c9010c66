package dev.retina.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JsonReaderTest {

    @Test
    void readsEveryKindOfValue() {
        Object v = JsonReader.parse(" {\"a\": [1, -2.5, 3e2, 0.125E-1], \"b\": {\"c\": true, \"d\": false},"
                + " \"e\": null, \"f\": \"x\"}\n");
        assertThat(v).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.keySet()).containsExactly("a", "b", "e", "f");
        assertThat(m.get("a")).isEqualTo(List.of(1.0, -2.5, 300.0, 0.0125));
        assertThat(m.get("b")).isEqualTo(Map.of("c", true, "d", false));
        assertThat(m.containsKey("e")).isTrue();
        assertThat(m.get("e")).isNull();
        assertThat(m.get("f")).isEqualTo("x");
        assertThat(JsonReader.parse("[]")).isEqualTo(List.of());
        assertThat(JsonReader.parse("{}")).isEqualTo(Map.of());
        assertThat(JsonReader.parse("-0")).isEqualTo(-0.0);
    }

    @Test
    void decodesEscapesIncludingSurrogatePairs() {
        assertThat(JsonReader.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\""))
                .isEqualTo("a\"b\\c/d\b\f\n\r\t\u00e9\uD83D\uDE00");
        assertThat(JsonReader.parse("\"caf\u00e9 \u732b\"")).isEqualTo("caf\u00e9 \u732b");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "{\"a\": 1,}|1|9|trailing commas are not allowed",
        "[1, 2,]|1|7|trailing commas are not allowed",
        "{'a': 1}|1|2|expected a string key in double quotes but found '''",
        "{\"a\" 1}|1|6|expected ':' but found '1'",
        "[01]|1|3|leading zeros are not allowed",
        "[1.]|1|4|expected a digit after the decimal point",
        "[1e]|1|4|expected a digit in the exponent",
        "[NaN]|1|2|expected a value",
        "[tru]|1|2|found 'tru'",
        "\"abc|1|5|end of document inside a string",
        "\"\\x\"|1|3|one of the escapes",
        "\"\\u12G4\"|1|6|a hex digit in a \\u escape",
        "\"\\uDC00\"|1|8|a high surrogate before a low surrogate",
        "\"\\uD800x\"|1|8|a low surrogate",
        "{} {}|1|4|end of document after the top-level value",
        "[1e999]|1|2|within the range of a double",
        "|1|1|expected a value",
        "/* c */ {}|1|1|expected a value",
    })
    void rejectsInvalidDocumentsWithLineAndColumn(String text, int line, int column, String message) {
        String doc = text == null ? "" : text;
        assertThatThrownBy(() -> JsonReader.parse(doc)).isInstanceOfSatisfying(JsonFormatException.class, e -> {
            assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
            assertThat(e.column()).as(e.getMessage()).isEqualTo(column);
        }).hasMessageContaining(message);
    }

    @Test
    void reportsLinesAndColumnsOnLaterLines() {
        assertThatThrownBy(() -> JsonReader.parse("{\n  \"a\": 1,\n  \"b\": tru\n}"))
                .isInstanceOfSatisfying(JsonFormatException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(8);
                }).hasMessageStartingWith("line 3, column 8: ");
    }

    @Test
    void rejectsDuplicateKeysAtTheSecondKey() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": 1,\n \"a\": 2}"))
                .hasMessage("line 2, column 2: duplicate key \"a\"");
    }

    @Test
    void rejectsUnescapedControlCharacters() {
        assertThatThrownBy(() -> JsonReader.parse("\"a\tb\"")).hasMessageContaining("control character U+0009");
    }

    @Test
    void limitsNestingDepth() {
        char[] open = new char[JsonReader.MAX_DEPTH + 2];
        char[] close = new char[open.length];
        Arrays.fill(open, '[');
        Arrays.fill(close, ']');
        assertThatThrownBy(() -> JsonReader.parse(new String(open) + new String(close)))
                .hasMessageContaining("nesting at most 64 levels deep");
        assertThat(JsonReader.parse("[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH)))
                .isInstanceOf(List.class);
    }
}
