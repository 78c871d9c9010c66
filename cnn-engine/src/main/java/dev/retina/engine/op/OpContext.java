package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.Activation;
import dev.retina.engine.kernel.Kernels;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything an op needs to be created: the node's identity and attributes, the model's opset, the
 * shapes of its inputs (null for absent optional inputs), their values where they are constants, the
 * activation fused into it at load time, and the kernels with a cache for prepared weights.
 * Validation helpers produce {@link ModelLoadException}s naming the node and the op.
 */
public final class OpContext {

    private final String nodeName;
    private final String opType;
    private final int opset;
    private final Attributes attributes;
    private final List<Shape> inputShapes;
    private final List<Value> constants;
    private final int outputCount;
    private final Activation fused;
    private final Kernels kernels;
    private final Map<Object, Object> preparedCache;

    public OpContext(String nodeName, String opType, int opset, Attributes attributes, List<Shape> inputShapes,
                     List<Value> constants, int outputCount, Activation fused, Kernels kernels,
                     Map<Object, Object> preparedCache) {
        this.nodeName = nodeName;
        this.opType = opType;
        this.opset = opset;
        this.attributes = attributes;
        this.inputShapes = inputShapes;
        this.constants = constants;
        this.outputCount = outputCount;
        this.fused = fused;
        this.kernels = kernels;
        this.preparedCache = preparedCache;
    }

    /** "node 'conv1' (Conv)". */
    public String where() {
        return "node '" + nodeName + "' (" + opType + ")";
    }

    public String opType() {
        return opType;
    }

    public int opset() {
        return opset;
    }

    public Kernels kernels() {
        return kernels;
    }

    public Activation fused() {
        return fused;
    }

    public int inputCount() {
        return inputShapes.size();
    }

    public int outputCount() {
        return outputCount;
    }

    public boolean hasInput(int i) {
        return i < inputShapes.size() && inputShapes.get(i) != null;
    }

    public Shape shape(int i) {
        return inputShapes.get(i);
    }

    public List<Shape> shapes() {
        return inputShapes;
    }

    /** The constant value of input {@code i}, or null if it is only known at run time. */
    public Value constant(int i) {
        return i < constants.size() ? constants.get(i) : null;
    }

    /** A value prepared once per constant (e.g. packed weights), shared by every compile of the model. */
    @SuppressWarnings("unchecked")
    public <T> T prepared(Object key, java.util.function.Supplier<T> supplier) {
        return (T) preparedCache.computeIfAbsent(key, k -> supplier.get());
    }

    /** Fails unless the node has between {@code min} and {@code max} inputs and exactly the allowed outputs. */
    public void requireArity(int min, int max, int maxOutputs) {
        if (inputCount() < min || inputCount() > max || !hasInput(0) && min > 0) {
            throw error(Reason.INVALID_MODEL, "expected " + (min == max ? min : min + " to " + max)
                    + " inputs, found " + inputCount());
        }
        if (outputCount > maxOutputs) {
            throw error(Reason.UNSUPPORTED_ATTRIBUTE, "expected at most " + maxOutputs
                    + " output(s) (optional outputs are not supported), found " + outputCount);
        }
    }

    /** Fails if the node carries an attribute outside {@code allowed}. */
    public void allowAttributes(String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String name : attributes.names()) {
            if (!ok.contains(name)) {
                throw error(Reason.UNSUPPORTED_ATTRIBUTE, "unknown attribute '" + name + "'; expected one of "
                        + Arrays.toString(allowed));
            }
        }
    }

    public long attrLong(String name, long defaultValue) {
        return attributes.getLong(name, defaultValue, where());
    }

    public int attrInt(String name, int defaultValue) {
        long v = attributes.getLong(name, defaultValue, where());
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw error(Reason.UNSUPPORTED_ATTRIBUTE, "attribute '" + name + "' out of int range: " + v);
        }
        return (int) v;
    }

    public float attrFloat(String name, float defaultValue) {
        return attributes.getFloat(name, defaultValue, where());
    }

    public String attrString(String name, String defaultValue) {
        return attributes.getString(name, defaultValue, where());
    }

    /** INTS attribute as ints (null default allowed), each checked to fit an int. */
    public int[] attrInts(String name, int[] defaultValue) {
        long[] v = attributes.getLongs(name, null, where());
        if (v == null) {
            return defaultValue == null ? null : defaultValue.clone();
        }
        return toInts(v, "attribute '" + name + "'");
    }

    public float[] attrFloats(String name, float[] defaultValue) {
        return attributes.getFloats(name, defaultValue, where());
    }

    public Value attrTensor(String name) {
        return attributes.getTensor(name, where());
    }

    public boolean hasAttr(String name) {
        return attributes.has(name);
    }

    /** Input {@code i} as a constant float tensor, or a load error saying it must be one. */
    public Tensor floatConstant(int i, String role) {
        Value v = constant(i);
        if (v instanceof Tensor t) {
            return t;
        }
        if (v == null) {
            throw error(Reason.UNSUPPORTED_OPERATOR, "input " + i + " (" + role
                    + ") must be a constant (initializer or Constant), found a value computed at run time");
        }
        throw error(Reason.UNSUPPORTED_DATA_TYPE, "input " + i + " (" + role + ") expected float32, found int64");
    }

    /** Input {@code i} as constant int64 values, or a load error. */
    public long[] longConstant(int i, String role) {
        Value v = constant(i);
        if (v instanceof LongTensor t) {
            return t.data();
        }
        if (v == null) {
            throw error(Reason.UNSUPPORTED_OPERATOR, "input " + i + " (" + role
                    + ") must be a constant known at load time, found a value computed at run time");
        }
        throw error(Reason.UNSUPPORTED_DATA_TYPE, "input " + i + " (" + role + ") expected int64, found float32");
    }

    /** Input {@code i} must be float (runtime values always are). */
    public void requireFloat(int i) {
        if (constant(i) instanceof LongTensor) {
            throw error(Reason.UNSUPPORTED_DATA_TYPE, "input " + i + " expected float32, found int64");
        }
    }

    /** Fails unless input {@code i} has rank {@code rank}. */
    public void requireRank(int i, int rank) {
        if (shape(i).rank() != rank) {
            throw error(Reason.SHAPE_MISMATCH, "input " + i + " expected rank " + rank + ", found shape " + shape(i));
        }
    }

    public int[] toInts(long[] v, String what) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
                throw error(Reason.UNSUPPORTED_ATTRIBUTE, what + " value out of int range: " + v[i]);
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /** Normalises a possibly negative axis into {@code [0, rank)}, or fails. */
    public int axis(long axis, int rank, String what) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw error(Reason.SHAPE_MISMATCH, what + " expected in [" + (-rank) + ", " + (rank - 1)
                    + "], found " + axis);
        }
        return (int) a;
    }

    public ModelLoadException error(Reason reason, String detail) {
        return new ModelLoadException(reason, where() + ": " + detail);
    }
}
