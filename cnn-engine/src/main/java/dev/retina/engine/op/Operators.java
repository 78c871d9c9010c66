package dev.retina.engine.op;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The operator registry: ONNX op type (default domain) to the op class that implements it. */
public final class Operators {

    private static final Map<String, Function<OpContext, Op>> FACTORIES = new TreeMap<>();

    static {
        FACTORIES.put("Add", Add::new);
        FACTORIES.put("AveragePool", AveragePool::new);
        FACTORIES.put("BatchNormalization", BatchNormalization::new);
        FACTORIES.put("Clip", Clip::new);
        FACTORIES.put("Concat", Concat::new);
        FACTORIES.put("Constant", Constant::new);
        FACTORIES.put("Conv", Conv::new);
        FACTORIES.put("Div", Div::new);
        FACTORIES.put("Dropout", Identity::new);
        FACTORIES.put("Flatten", Flatten::new);
        FACTORIES.put("Gather", Gather::new);
        FACTORIES.put("Gemm", Gemm::new);
        FACTORIES.put("GlobalAveragePool", GlobalAveragePool::new);
        FACTORIES.put("GlobalMaxPool", GlobalMaxPool::new);
        FACTORIES.put("Identity", Identity::new);
        FACTORIES.put("LeakyRelu", LeakyRelu::new);
        FACTORIES.put("MatMul", MatMul::new);
        FACTORIES.put("MaxPool", MaxPool::new);
        FACTORIES.put("Mul", Mul::new);
        FACTORIES.put("Relu", Relu::new);
        FACTORIES.put("Reshape", Reshape::new);
        FACTORIES.put("Shape", ShapeOf::new);
        FACTORIES.put("Sigmoid", Sigmoid::new);
        FACTORIES.put("Softmax", Softmax::new);
        FACTORIES.put("Squeeze", Squeeze::new);
        FACTORIES.put("Sub", Sub::new);
        FACTORIES.put("Transpose", Transpose::new);
        FACTORIES.put("Unsqueeze", Unsqueeze::new);
    }

    private Operators() {
    }

    public static boolean isSupported(String opType) {
        return FACTORIES.containsKey(opType);
    }

    /** The supported op types, sorted. */
    public static java.util.Set<String> supported() {
        return java.util.Collections.unmodifiableSet(FACTORIES.keySet());
    }

    /**
     * Creates the op for a node.
     *
     * @throws ModelLoadException for an unknown op type or a node the op rejects
     */
    public static Op create(OpContext ctx) {
        Function<OpContext, Op> factory = FACTORIES.get(ctx.opType());
        if (factory == null) {
            throw ctx.error(Reason.UNSUPPORTED_OPERATOR, "unknown operator; supported are " + FACTORIES.keySet());
        }
        return factory.apply(ctx);
    }
}
