package dev.retina.engine.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes an ONNX model (a {@code ModelProto}) in code: graph inputs, initializers, nodes and outputs, for one opset of
 * the default domain. Test models are generated rather than checked in so they can be reviewed and regenerated.
 *
 * <p>Tribuo's {@code ONNXContext} only knows the handful of operators its own exports need (no Conv, no pooling) and a
 * fixed opset, so this builder writes the protobuf messages directly. A negative input or output dimension becomes the
 * symbolic dimension {@code "batch"}, which is how PyTorch exports a dynamic batch ({@code dynamic_axes}).
 *
 * <p>Every name must be unique; {@link #node} names its single output after the node ({@code Conv_3}) unless told.
 * Not thread-safe; one builder makes one model.
 */
public final class OnnxGraphBuilder {
    /** IR version 8 covers opsets up to 17, the range the engine supports; it also lets initializers stay off the input list. */
    public static final long IR_VERSION = 8;

    private final String graphName;
    private final int opset;
    private TensorEncoding encoding = TensorEncoding.RAW_DATA;
    private long irVersion = IR_VERSION;
    private boolean initializersAsInputs;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private int nodeCounter;

    private OnnxGraphBuilder(String graphName, int opset) {
        if (opset < 1) {
            throw new IllegalArgumentException("opset must be >= 1, found " + opset);
        }
        this.graphName = graphName;
        this.opset = opset;
    }

    /** Starts a model whose graph is called {@code name}, importing the default ONNX domain at {@code opset}. */
    public static OnnxGraphBuilder create(String name, int opset) {
        return new OnnxGraphBuilder(name, opset);
    }

    /** The opset this model imports (operators must be written in that opset's form). */
    public int opset() {
        return opset;
    }

    /** Sets how initializers added from now on store their numbers (default {@link TensorEncoding#RAW_DATA}). */
    public OnnxGraphBuilder encoding(TensorEncoding newEncoding) {
        this.encoding = newEncoding;
        return this;
    }

    /** Sets the model's IR version (default {@value #IR_VERSION}). */
    public OnnxGraphBuilder irVersion(long version) {
        this.irVersion = version;
        return this;
    }

    /**
     * Also lists every initializer among the graph inputs, as IR versions before 4 required and older exporters
     * (and PyTorch's {@code keep_initializers_as_inputs=True}) still do. The initializer is then the default value of
     * an input the caller may leave out.
     */
    public OnnxGraphBuilder initializersAsInputs(boolean enabled) {
        this.initializersAsInputs = enabled;
        return this;
    }

    /** The encoding initializers are currently written with. */
    public TensorEncoding encoding() {
        return encoding;
    }

    /** Declares a float32 graph input; a negative dim is the symbolic {@code "batch"} dimension. Returns the name. */
    public String input(String name, int... dims) {
        claim(name);
        graph.addInput(valueInfo(name, DataType.FLOAT, dims));
        return name;
    }

    /** Declares a graph output of type float32 with the given dims (none given: shape left unspecified). */
    public OnnxGraphBuilder output(String name, int... dims) {
        graph.addOutput(dims.length == 0 ? valueInfoNoShape(name, DataType.FLOAT) : valueInfo(name, DataType.FLOAT, dims));
        return this;
    }

    /** Declares a graph output of the given element type with an unspecified shape. */
    public OnnxGraphBuilder output(String name, DataType type) {
        graph.addOutput(valueInfoNoShape(name, type));
        return this;
    }

    /** Adds a float32 initializer ({@code dims} empty: scalar). Returns its name. */
    public String floats(String name, float[] data, int... dims) {
        claim(name);
        graph.addInitializer(OnnxTensors.floats(name, data, encoding, dims));
        return name;
    }

    /** Adds a 1-D int64 initializer (shapes, axes, indices). Returns its name. */
    public String int64s(String name, long... data) {
        return int64Tensor(name, data, data.length);
    }

    /** Adds an int64 initializer of the given dims ({@code dims} empty: scalar). Returns its name. */
    public String int64Tensor(String name, long[] data, int... dims) {
        claim(name);
        graph.addInitializer(OnnxTensors.int64s(name, data, encoding, dims));
        return name;
    }

    /** Adds an already built initializer as is (for tests that need unusual tensors). */
    public String initializer(TensorProto tensor) {
        claim(tensor.getName());
        graph.addInitializer(tensor);
        return tensor.getName();
    }

    /**
     * Adds a node with one output, named after the node. An empty string among {@code inputs} is ONNX's "optional
     * input left out". Returns the output name.
     */
    public String node(String opType, List<String> inputs, AttributeProto... attributes) {
        String nodeName = opType + "_" + nodeCounter;
        return nodeWithOutputs(opType, inputs, List.of(nodeName), attributes).get(0);
    }

    /** Adds a node with one output of the given name. Returns the output name. */
    public String node(String opType, List<String> inputs, String output, AttributeProto... attributes) {
        return nodeWithOutputs(opType, inputs, List.of(output), attributes).get(0);
    }

    /** Adds a node with several outputs (empty string: output left out). Returns the output names. */
    public List<String> nodeWithOutputs(String opType, List<String> inputs, List<String> outputs,
                                        AttributeProto... attributes) {
        String nodeName = opType + "_" + nodeCounter++;
        NodeProto.Builder n = NodeProto.newBuilder().setName(nodeName).setOpType(opType);
        n.addAllInput(inputs);
        for (String out : outputs) {
            if (!out.isEmpty()) {
                claim(out);
            }
            n.addOutput(out);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return new ArrayList<>(outputs);
    }

    /** The finished model message. The builder may be used further (the next build contains the additions). */
    public ModelProto buildProto() {
        GraphProto.Builder g = graph.clone().setName(graphName);
        if (initializersAsInputs) {
            for (TensorProto t : g.getInitializerList()) {
                int[] dims = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
                g.addInput(valueInfo(t.getName(), DataType.forNumber(t.getDataType()), dims));
            }
        }
        return ModelProto.newBuilder()
                .setIrVersion(irVersion)
                .setProducerName("retina-tests")
                .setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(g)
                .build();
    }

    /** The finished model, serialised as an ONNX file's bytes. */
    public byte[] build() {
        return buildProto().toByteArray();
    }

    private void claim(String name) {
        if (name.isEmpty() || !names.add(name)) {
            throw new IllegalArgumentException("value name must be unique and non-empty, found '" + name + "'");
        }
    }

    private static ValueInfoProto valueInfo(String name, DataType type, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : dims) {
            shape.addDim(d < 0
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto.Tensor tensorType = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(tensorType)).build();
    }

    private static ValueInfoProto valueInfoNoShape(String name, DataType type) {
        TypeProto.Tensor tensorType = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).build();
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(tensorType)).build();
    }
}
