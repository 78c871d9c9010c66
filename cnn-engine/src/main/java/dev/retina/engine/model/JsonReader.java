package dev.retina.engine.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) reader for model metadata such as {@code preprocess.json}. The engine may not
 * depend on a JSON library, and the documents it reads are a few hundred bytes, so a recursive-descent parser is
 * enough.
 *
 * <p>Values map to Java as: object to an unmodifiable {@code Map<String, Object>} in document order, array to an
 * unmodifiable {@code List<Object>}, string to {@link String}, number to {@link Double}, {@code true}/{@code false}
 * to {@link Boolean}, {@code null} to {@code null}.
 *
 * <p>Strict means: exactly one value per document (whitespace around it allowed), no comments, no trailing commas,
 * no single quotes, no leading zeros, no NaN/Infinity, no unescaped control characters in strings, no lone
 * surrogate escapes, no duplicate keys in an object, nesting at most {@value #MAX_DEPTH} deep. Every error names
 * the line and column (both 1-based) and what was expected versus what was found.
 *
 * <p>Stateless and thread-safe; each {@link #parse} call uses its own cursor.
 */
public final class JsonReader {

    /** Deeper documents are rejected rather than risking a stack overflow on hostile input. */
    public static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;

    private JsonReader(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON document.
     *
     * @throws JsonFormatException if the text is not exactly one valid JSON value
     */
    public static Object parse(String text) {
        JsonReader reader = new JsonReader(text);
        reader.skipWhitespace();
        Object value = reader.readValue(0);
        reader.skipWhitespace();
        if (reader.pos < text.length()) {
            throw reader.error("end of document after the top-level value", describe(reader.peekChar()));
        }
        return value;
    }

    private Object readValue(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting at most " + MAX_DEPTH + " levels deep", "a deeper value");
        }
        if (pos >= text.length()) {
            throw error("a value", "end of document");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return readObject(depth);
            case '[':
                return readArray(depth);
            case '"':
                return readString();
            case 't':
                return readLiteral("true", Boolean.TRUE);
            case 'f':
                return readLiteral("false", Boolean.FALSE);
            case 'n':
                return readLiteral("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return readNumber();
                }
                throw error("a value (object, array, string, number, true, false or null)", describe(c));
        }
    }

    private Map<String, Object> readObject(int depth) {
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peekChar() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipWhitespace();
            if (peekChar() != '"') {
                throw error("a string key in double quotes", describe(peekChar()));
            }
            // Line and column are worked out only for an error: counting lines per key made parsing quadratic.
            int keyPos = pos;
            String key = readString();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object value = readValue(depth + 1);
            if (map.containsKey(key)) {
                throw new JsonFormatException("duplicate key \"" + key + "\"", line(keyPos), column(keyPos));
            }
            map.put(key, value);
            skipWhitespace();
            int c = peekChar();
            if (c == ',') {
                pos++;
                skipWhitespace();
                if (peekChar() == '}') {
                    throw error("another key after ','", "'}' (trailing commas are not allowed)");
                }
            } else if (c == '}') {
                pos++;
                return Collections.unmodifiableMap(map);
            } else {
                throw error("',' or '}' in an object", describe(c));
            }
        }
    }

    private List<Object> readArray(int depth) {
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peekChar() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipWhitespace();
            list.add(readValue(depth + 1));
            skipWhitespace();
            int c = peekChar();
            if (c == ',') {
                pos++;
                skipWhitespace();
                if (peekChar() == ']') {
                    throw error("another value after ','", "']' (trailing commas are not allowed)");
                }
            } else if (c == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            } else {
                throw error("',' or ']' in an array", describe(c));
            }
        }
    }

    private String readString() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("a closing '\"'", "end of document inside a string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("an escaped control character (e.g. \\n)", describe(c) + " unescaped in a string");
            }
            if (c != '\\') {
                sb.append(c);
                pos++;
                continue;
            }
            pos++;
            if (pos >= text.length()) {
                throw error("an escape character", "end of document");
            }
            char e = text.charAt(pos);
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case '/': sb.append('/'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    pos++;
                    char unit = readHex4();
                    if (Character.isHighSurrogate(unit)) {
                        if (!text.startsWith("\\u", pos)) {
                            throw error("a low surrogate \\uDC00-\\uDFFF after a high surrogate", describe(peekChar()));
                        }
                        pos += 2;
                        char low = readHex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw error("a low surrogate \\uDC00-\\uDFFF after a high surrogate",
                                    String.format("\\u%04X", (int) low));
                        }
                        sb.append(unit).append(low);
                    } else if (Character.isLowSurrogate(unit)) {
                        throw error("a high surrogate before a low surrogate", String.format("\\u%04X", (int) unit));
                    } else {
                        sb.append(unit);
                    }
                    continue; // readHex4 already advanced
                default:
                    throw error("one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", "\\" + e);
            }
            pos++;
        }
    }

    private char readHex4() {
        if (pos + 4 > text.length()) {
            throw error("four hex digits after \\u", "end of document");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos), 16);
            if (d < 0) {
                throw error("a hex digit in a \\u escape", describe(text.charAt(pos)));
            }
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    private Double readNumber() {
        int start = pos;
        if (peekChar() == '-') {
            pos++;
        }
        int c = peekChar();
        if (c == '0') {
            pos++;
            if (isDigit(peekChar())) {
                throw error("'.', 'e' or the end of the number after a leading 0", describe(peekChar())
                        + " (leading zeros are not allowed)");
            }
        } else if (isDigit(c)) {
            while (isDigit(peekChar())) {
                pos++;
            }
        } else {
            throw error("a digit", describe(c));
        }
        if (peekChar() == '.') {
            pos++;
            if (!isDigit(peekChar())) {
                throw error("a digit after the decimal point", describe(peekChar()));
            }
            while (isDigit(peekChar())) {
                pos++;
            }
        }
        if (peekChar() == 'e' || peekChar() == 'E') {
            pos++;
            if (peekChar() == '+' || peekChar() == '-') {
                pos++;
            }
            if (!isDigit(peekChar())) {
                throw error("a digit in the exponent", describe(peekChar()));
            }
            while (isDigit(peekChar())) {
                pos++;
            }
        }
        double value = Double.parseDouble(text.substring(start, pos));
        if (Double.isInfinite(value)) {
            int savedPos = pos;
            pos = start;
            JsonFormatException ex = error("a number within the range of a double", text.substring(start, savedPos));
            pos = savedPos;
            throw ex;
        }
        return value;
    }

    private Object readLiteral(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            int end = pos;
            while (end < text.length() && Character.isLetterOrDigit(text.charAt(end))) {
                end++;
            }
            throw error("a value (object, array, string, number, true, false or null)",
                    "'" + text.substring(pos, Math.max(end, pos + 1)) + "'");
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) {
        if (peekChar() != c) {
            throw error("'" + c + "'", describe(peekChar()));
        }
        pos++;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    /** The character at the cursor, or -1 at the end of the document. */
    private int peekChar() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(int c) {
        if (c < 0) {
            return "end of document";
        }
        if (c < 0x20 || c == 0x7f) {
            return String.format("control character U+%04X", c);
        }
        return "'" + (char) c + "'";
    }

    private JsonFormatException error(String expected, String found) {
        return new JsonFormatException("expected " + expected + " but found " + found, line(pos), column(pos));
    }

    private int line(int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private int column(int offset) {
        int lineStart = text.lastIndexOf('\n', Math.min(offset, text.length()) - 1) + 1;
        return offset - lineStart + 1;
    }
}
