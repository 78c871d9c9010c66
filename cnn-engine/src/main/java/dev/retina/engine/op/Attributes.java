package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.tensor.Value;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The attributes of one node, by name, already decoded from ONNX: {@code Long} (INT), {@code Float}
 * (FLOAT), {@code String} (STRING), {@code long[]} (INTS), {@code float[]} (FLOATS) or {@link Value}
 * (TENSOR). Typed getters apply the operator's default when absent and fail with a clear load error
 * when the attribute has another type.
 */
public final class Attributes {

    private final Map<String, Object> values;

    public Attributes(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    public static Attributes empty() {
        return new Attributes(Collections.emptyMap());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Set<String> names() {
        return new TreeSet<>(values.keySet());
    }

    /** Raw value or null. */
    public Object raw(String name) {
        return values.get(name);
    }

    long getLong(String name, long defaultValue, String where) {
        Object v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw typeError(name, "INT", v, where);
    }

    float getFloat(String name, float defaultValue, String where) {
        Object v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Float f) {
            return f;
        }
        throw typeError(name, "FLOAT", v, where);
    }

    String getString(String name, String defaultValue, String where) {
        Object v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof String s) {
            return s;
        }
        throw typeError(name, "STRING", v, where);
    }

    long[] getLongs(String name, long[] defaultValue, String where) {
        Object v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof long[] a) {
            return a.clone();
        }
        throw typeError(name, "INTS", v, where);
    }

    float[] getFloats(String name, float[] defaultValue, String where) {
        Object v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof float[] a) {
            return a.clone();
        }
        throw typeError(name, "FLOATS", v, where);
    }

    Value getTensor(String name, String where) {
        Object v = values.get(name);
        if (v == null || v instanceof Value) {
            return (Value) v;
        }
        throw typeError(name, "TENSOR", v, where);
    }

    private static ModelLoadException typeError(String name, String expected, Object found, String where) {
        return new ModelLoadException(Reason.UNSUPPORTED_ATTRIBUTE, where + ": attribute '" + name
                + "' expected type " + expected + ", found " + found.getClass().getSimpleName());
    }
}
