package dev.retina.engine.io;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dictionary in a {@code .npy} header, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}.
 * It is a Python literal; this parser accepts exactly what NumPy writes and reads: single- or double-quoted string
 * keys, a string {@code descr}, {@code True}/{@code False}, and a tuple of non-negative integers (an old Python 2
 * {@code L} suffix allowed), with optional trailing commas. The three keys must all be present, and no others.
 */
record NpyHeader(String descr, boolean fortranOrder, int[] shape) {

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    static NpyHeader parse(String text) {
        Parser p = new Parser(text.strip());
        Map<String, Object> dict = p.dict();
        if (!dict.keySet().equals(KEYS)) {
            throw new NpyFormatException("header must have exactly the keys 'descr', 'fortran_order' and 'shape', "
                    + "found " + dict.keySet() + " in " + text.strip());
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new NpyFormatException("header 'descr' must be a string such as '<f4', found " + dict.get("descr"));
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new NpyFormatException("header 'fortran_order' must be True or False, found "
                    + dict.get("fortran_order"));
        }
        if (!(dict.get("shape") instanceof int[] shape)) {
            throw new NpyFormatException("header 'shape' must be a tuple of integers, found " + dict.get("shape"));
        }
        return new NpyHeader(descr, fortran, shape);
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Map<String, Object> dict() {
            expect('{');
            Map<String, Object> map = new HashMap<>();
            skip();
            while (peek() != '}') {
                String key = string();
                skip();
                expect(':');
                skip();
                Object value = value();
                if (map.put(key, value) != null) {
                    throw error("a key only once", "'" + key + "' again");
                }
                skip();
                if (peek() == ',') {
                    pos++;
                    skip();
                } else if (peek() != '}') {
                    throw error("',' or '}'", found());
                }
            }
            pos++;
            skip();
            if (pos != s.length()) {
                throw error("the end of the header after '}'", found());
            }
            return map;
        }

        private Object value() {
            int c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            throw error("a string, True, False or a tuple", found());
        }

        private int[] tuple() {
            expect('(');
            List<Integer> dims = new ArrayList<>();
            skip();
            while (peek() != ')') {
                int start = pos;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                if (start == pos) {
                    throw error("a non-negative integer dimension", found());
                }
                long v;
                try {
                    v = Long.parseLong(s.substring(start, pos));
                } catch (NumberFormatException e) {
                    v = Long.MAX_VALUE;
                }
                if (v > Integer.MAX_VALUE) {
                    throw new NpyFormatException("shape dimension " + s.substring(start, pos)
                            + " exceeds the largest supported dimension " + Integer.MAX_VALUE);
                }
                if (peek() == 'L') {
                    pos++;
                }
                dims.add((int) v);
                skip();
                if (peek() == ',') {
                    pos++;
                    skip();
                } else if (peek() != ')') {
                    throw error("',' or ')' in the shape tuple", found());
                }
            }
            pos++;
            int[] out = new int[dims.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = dims.get(i);
            }
            return out;
        }

        private String string() {
            int quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error("a quoted string", found());
            }
            int end = s.indexOf(quote, pos + 1);
            if (end < 0) {
                throw error("a closing quote", "the end of the header");
            }
            String v = s.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("'" + c + "'", found());
            }
            pos++;
        }

        private void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private int peek() {
            return pos < s.length() ? s.charAt(pos) : -1;
        }

        private String found() {
            return pos < s.length() ? "'" + s.charAt(pos) + "' at offset " + pos : "the end of the header";
        }

        private NpyFormatException error(String expected, String found) {
            return new NpyFormatException("malformed header: expected " + expected + ", found " + found + " in "
                    + s);
        }
    }
}
