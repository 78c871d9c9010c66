package dev.retina.engine.kernel;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The loop-body instances of one {@link ComputeContext} ({@link ComputeContext#body}), one per class.
 * A context has a handful of body classes, so a linear scan by identity beats a hash map and, unlike
 * one, allocates nothing per lookup. Not thread-safe: a context is used by one inference at a time.
 */
public final class ReusableBodies {

    private Class<?>[] types = new Class<?>[8];
    private Object[] bodies = new Object[8];
    private int count;

    /** The instance of {@code type}, made by {@code factory} the first time. */
    public <T extends ComputeContext.RangeBody> T get(Class<T> type, Supplier<T> factory) {
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                return type.cast(bodies[i]);
            }
        }
        T body = factory.get();
        if (body == null || body.getClass() != type) {
            throw new IllegalArgumentException("body factory for " + type.getName() + " made "
                    + (body == null ? "null" : "a " + body.getClass().getName()));
        }
        if (count == types.length) {
            types = Arrays.copyOf(types, count * 2);
            bodies = Arrays.copyOf(bodies, count * 2);
        }
        types[count] = type;
        bodies[count++] = body;
        return body;
    }
}
