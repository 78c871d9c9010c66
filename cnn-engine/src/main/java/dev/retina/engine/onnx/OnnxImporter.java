package dev.retina.engine.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.graph.Graph;
import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.Node;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.kernel.Activation;
import dev.retina.engine.kernel.KernelProvider;
import dev.retina.engine.kernel.Kernels;
import dev.retina.engine.op.Attributes;
import dev.retina.engine.op.Operators;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads ONNX models (opsets {@value #MIN_OPSET} to {@value #MAX_OPSET}, float32) into a {@link Model}.
 * The file is bounded by {@link ImportLimits} (size, protobuf nesting, tensor size, rank, node count);
 * everything the engine cannot run is reported at load time as a {@link ModelLoadException}.
 */
public final class OnnxImporter {

    public static final int MIN_OPSET = 9;
    public static final int MAX_OPSET = 17;

    private OnnxImporter() {
    }

    /** Loads a model file with {@link ImportLimits#defaults()}. */
    public static Model load(Path file) {
        return load(file, ImportLimits.defaults());
    }

    /** Loads a model file, checking its size before reading it. */
    public static Model load(Path file, ImportLimits limits) {
        try {
            long size = Files.size(file);
            if (size > limits.maxFileBytes()) {
                throw new ModelLoadException(Reason.LIMIT_EXCEEDED, "model file " + file.getFileName() + " has "
                        + size + " bytes, the limit is " + limits.maxFileBytes());
            }
            return load(Files.readAllBytes(file), limits);
        } catch (IOException e) {
            throw new ModelLoadException(Reason.IO_ERROR, "cannot read model file " + file + ": " + e, e);
        }
    }

    /** Loads a serialized ModelProto with {@link ImportLimits#defaults()}. */
    public static Model load(byte[] bytes) {
        return load(bytes, ImportLimits.defaults());
    }

    /** Loads a serialized ModelProto with the process-wide kernels ({@link KernelProvider#get()}). */
    public static Model load(byte[] bytes, ImportLimits limits) {
        return load(bytes, limits, KernelProvider.get());
    }

    /** Loads a serialized ModelProto to run on the given kernels. */
    public static Model load(byte[] bytes, ImportLimits limits, Kernels kernels) {
        return new Model(readGraph(bytes, limits), kernels, limits.maxTensorElements());
    }

    /**
     * Parses a serialized ModelProto into a {@link Graph} as imported (nodes in file order, nothing folded, shapes not
     * yet checked), for callers that adjust the graph before building the {@link Model}, e.g. with
     * {@link Graph#withAddedOutput(String)}. Size and node limits are checked here; everything else when the model is
     * built.
     *
     * @throws ModelLoadException for bytes over the limits or not a valid ONNX model
     */
    public static Graph readGraph(byte[] bytes, ImportLimits limits) {
        if (bytes.length > limits.maxFileBytes()) {
            throw new ModelLoadException(Reason.LIMIT_EXCEEDED, "model has " + bytes.length
                    + " bytes, the limit is " + limits.maxFileBytes());
        }
        if (bytes.length == 0) {
            throw new ModelLoadException(Reason.MALFORMED_PROTOBUF, "model is empty (0 bytes)");
        }
        return toGraph(parse(bytes), limits);
    }

    private static ModelProto parse(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.setSizeLimit(bytes.length);
        in.setRecursionLimit(ImportLimits.PROTOBUF_RECURSION_LIMIT);
        try {
            ModelProto proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return proto;
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException(Reason.MALFORMED_PROTOBUF, "not a valid ONNX ModelProto ("
                    + bytes.length + " bytes): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException(Reason.MALFORMED_PROTOBUF, "cannot parse the ONNX ModelProto: " + e, e);
        }
    }

    static Graph toGraph(ModelProto proto, ImportLimits limits) {
        if (!proto.hasGraph()) {
            throw new ModelLoadException(Reason.INVALID_MODEL, "the model has no graph (ir_version "
                    + proto.getIrVersion() + ")");
        }
        int opset = opset(proto);
        GraphProto g = proto.getGraph();
        if (g.getNodeCount() > limits.maxNodes()) {
            throw new ModelLoadException(Reason.LIMIT_EXCEEDED, "graph has " + g.getNodeCount()
                    + " nodes, the limit is " + limits.maxNodes());
        }
        TensorDecoder decoder = new TensorDecoder(limits);
        Map<String, Value> initializers = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (initializers.put(t.getName(), decoder.decode(t, "initializer '" + t.getName() + "'")) != null) {
                throw new ModelLoadException(Reason.INVALID_MODEL, "initializer '" + t.getName() + "' is defined twice");
            }
        }
        if (g.getSparseInitializerCount() > 0) {
            throw new ModelLoadException(Reason.UNSUPPORTED_DATA_TYPE, "sparse initializers are not supported");
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfoProto vi : g.getInputList()) {
            if (!initializers.containsKey(vi.getName())) {
                inputs.add(input(vi, limits));
            }
        }
        if (inputs.isEmpty()) {
            throw new ModelLoadException(Reason.INVALID_MODEL, "the graph has no runtime input");
        }
        List<String> outputs = new ArrayList<>();
        for (ValueInfoProto vi : g.getOutputList()) {
            outputs.add(vi.getName());
        }
        if (outputs.isEmpty()) {
            throw new ModelLoadException(Reason.INVALID_MODEL, "the graph has no output");
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            nodes.add(node(g.getNode(i), i, decoder));
        }
        return new Graph(inputs, outputs, nodes, initializers, opset);
    }

    private static int opset(ModelProto proto) {
        for (OperatorSetIdProto id : proto.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                long v = id.getVersion();
                if (v < MIN_OPSET || v > MAX_OPSET) {
                    throw new ModelLoadException(Reason.UNSUPPORTED_OPSET, "default-domain opset expected "
                            + MIN_OPSET + ".." + MAX_OPSET + ", found " + v);
                }
                return (int) v;
            }
        }
        throw new ModelLoadException(Reason.UNSUPPORTED_OPSET, "the model imports no default-domain (ai.onnx) opset;"
                + " found " + proto.getOpsetImportList().stream().map(o -> o.getDomain() + ":" + o.getVersion()).toList());
    }

    /** A runtime input: float32, fully known shape except an optional dynamic first (batch) dimension. */
    private static ValueInfo input(ValueInfoProto vi, ImportLimits limits) {
        String where = "graph input '" + vi.getName() + "'";
        TypeProto type = vi.getType();
        if (!type.hasTensorType()) {
            throw new ModelLoadException(Reason.UNSUPPORTED_DATA_TYPE, where + ": expected a tensor type, found "
                    + type.getValueCase());
        }
        int elem = type.getTensorType().getElemType();
        if (elem != TensorProto.DataType.FLOAT_VALUE) {
            TensorProto.DataType dt = TensorProto.DataType.forNumber(elem);
            throw new ModelLoadException(Reason.UNSUPPORTED_DATA_TYPE, where + ": expected element type FLOAT, found "
                    + (dt == null ? "unknown type " + elem : dt.name()));
        }
        if (!type.getTensorType().hasShape()) {
            throw new ModelLoadException(Reason.INVALID_MODEL, where + ": the input declares no shape");
        }
        TensorShapeProto shape = type.getTensorType().getShape();
        if (shape.getDimCount() > limits.maxRank()) {
            throw new ModelLoadException(Reason.LIMIT_EXCEEDED, where + ": rank " + shape.getDimCount()
                    + " exceeds the limit " + limits.maxRank());
        }
        int[] dims = new int[shape.getDimCount()];
        long size = 1;
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = shape.getDim(i);
            boolean dynamic = !d.hasDimValue() || d.getDimValue() <= 0;
            if (dynamic) {
                if (i != 0) {
                    throw new ModelLoadException(Reason.INVALID_MODEL, where + ": only the first (batch) dimension may"
                            + " be dynamic, found dimension " + i + " = " + (d.hasDimParam() ? "'" + d.getDimParam()
                            + "'" : d.hasDimValue() ? d.getDimValue() : "unset"));
                }
                dims[i] = Shape.UNKNOWN;
                continue;
            }
            if (d.getDimValue() > limits.maxTensorElements()) {
                throw new ModelLoadException(Reason.LIMIT_EXCEEDED, where + ": dimension " + i + " is "
                        + d.getDimValue() + ", the limit is " + limits.maxTensorElements() + " elements");
            }
            dims[i] = (int) d.getDimValue();
            size *= dims[i];
            if (size > limits.maxTensorElements()) {
                throw new ModelLoadException(Reason.LIMIT_EXCEEDED, where + ": shape exceeds the limit of "
                        + limits.maxTensorElements() + " elements per image");
            }
        }
        return new ValueInfo(vi.getName(), Shape.of(dims));
    }

    private static Node node(NodeProto n, int index, TensorDecoder decoder) {
        String name = n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
        String describe = "node '" + name + "' (" + n.getOpType() + ")";
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw new ModelLoadException(Reason.UNSUPPORTED_OPERATOR, describe + ": domain '" + n.getDomain()
                    + "' is not supported; expected the default ONNX domain");
        }
        if (!Operators.isSupported(n.getOpType())) {
            throw new ModelLoadException(Reason.UNSUPPORTED_OPERATOR, describe + ": unknown operator; supported are "
                    + Operators.supported());
        }
        Map<String, Object> attributes = new HashMap<>();
        for (AttributeProto a : n.getAttributeList()) {
            if (attributes.put(a.getName(), attribute(a, describe, decoder)) != null) {
                throw new ModelLoadException(Reason.INVALID_MODEL, describe + ": attribute '" + a.getName()
                        + "' appears twice");
            }
        }
        // Absent optional outputs may be written as trailing empty names.
        List<String> outputs = new ArrayList<>(n.getOutputList());
        while (!outputs.isEmpty() && outputs.get(outputs.size() - 1).isEmpty()) {
            outputs.remove(outputs.size() - 1);
        }
        return new Node(name, n.getOpType(), n.getInputList(), outputs, new Attributes(attributes), Activation.NONE);
    }

    private static Object attribute(AttributeProto a, String describe, TensorDecoder decoder) {
        String where = describe + ": attribute '" + a.getName() + "'";
        if (!a.getRefAttrName().isEmpty()) {
            throw new ModelLoadException(Reason.UNSUPPORTED_ATTRIBUTE, where + " refers to a function attribute");
        }
        AttributeProto.AttributeType type = a.getType();
        if (type == AttributeProto.AttributeType.UNDEFINED) {
            type = inferType(a);
        }
        switch (type) {
            case FLOAT:
                return a.getF();
            case INT:
                return a.getI();
            case STRING:
                return a.getS().toString(StandardCharsets.UTF_8);
            case TENSOR:
                return decoder.decode(a.getT(), where);
            case FLOATS:
                float[] f = new float[a.getFloatsCount()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = a.getFloats(i);
                }
                return f;
            case INTS:
                long[] l = new long[a.getIntsCount()];
                for (int i = 0; i < l.length; i++) {
                    l[i] = a.getInts(i);
                }
                return l;
            default:
                throw new ModelLoadException(Reason.UNSUPPORTED_ATTRIBUTE, where + ": type " + type
                        + " is not supported; expected FLOAT, INT, STRING, TENSOR, FLOATS or INTS");
        }
    }

    /** Pre-IR-3 files leave the type unset; infer it from the field that is present. */
    private static AttributeProto.AttributeType inferType(AttributeProto a) {
        if (a.hasF()) {
            return AttributeProto.AttributeType.FLOAT;
        }
        if (a.hasI()) {
            return AttributeProto.AttributeType.INT;
        }
        if (a.hasS()) {
            return AttributeProto.AttributeType.STRING;
        }
        if (a.hasT()) {
            return AttributeProto.AttributeType.TENSOR;
        }
        if (a.getFloatsCount() > 0) {
            return AttributeProto.AttributeType.FLOATS;
        }
        if (a.getIntsCount() > 0) {
            return AttributeProto.AttributeType.INTS;
        }
        return AttributeProto.AttributeType.UNDEFINED;
    }
}
