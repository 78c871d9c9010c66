package dev.retina.engine.train;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained {@link Network} as a standard ONNX model: opset 13, IR version 7, one float input
 * {@code input [batch, C, H, W]} with a symbolic batch dimension, one output
 * {@code probabilities [batch, classes]} (the network's logits through Softmax on axis 1).
 *
 * <p>Layers map one to one: Conv (kernel_shape, strides, pads, dilations 1, group 1), Relu, MaxPool
 * (kernel_shape, strides, no padding, floor rounding), Flatten (axis 1) and Gemm ({@code transB = 1}, weight
 * {@code [out, in]}). Weights are initializers named {@code <node>.weight} / {@code <node>.bias}, stored as
 * little-endian raw data.
 */
public final class OnnxExporter {

    /** Name of the graph input. */
    public static final String INPUT = "input";
    /** Name of the graph output. */
    public static final String OUTPUT = "probabilities";
    /** The ONNX operator set the export targets. */
    public static final int OPSET = 13;

    private static final long IR_VERSION = 7;

    private OnnxExporter() {
    }

    /**
     * The ONNX model of {@code network}. {@code metadata} goes to the model's metadata_props (for example
     * the architecture and the training command) and {@code modelVersion} to its model_version field.
     */
    public static OnnxMl.ModelProto export(Network network, String graphName, long modelVersion,
            Map<String, String> metadata) {
        int[] in = network.inputDims();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(graphName);
        g.addInput(valueInfo(INPUT, in[0], in[1], in[2]));
        float[] params = network.params();
        String current = INPUT;
        List<Layer> layers = network.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            LayerSpec spec = layer.spec;
            String name;
            OnnxMl.NodeProto.Builder node = OnnxMl.NodeProto.newBuilder().addInput(current);
            if (spec instanceof LayerSpec.Conv c) {
                name = "conv_" + i;
                int inC = layer.inDims[0];
                int weights = c.outChannels() * inC * c.kernel() * c.kernel();
                g.addInitializer(tensor(name + ".weight", params, layer.paramOffset, weights,
                        c.outChannels(), inC, c.kernel(), c.kernel()));
                g.addInitializer(tensor(name + ".bias", params, layer.paramOffset + weights, c.outChannels(),
                        c.outChannels()));
                node.setOpType("Conv").addInput(name + ".weight").addInput(name + ".bias")
                        .addAttribute(ints("kernel_shape", c.kernel(), c.kernel()))
                        .addAttribute(ints("strides", c.stride(), c.stride()))
                        .addAttribute(ints("pads", c.pad(), c.pad(), c.pad(), c.pad()))
                        .addAttribute(ints("dilations", 1, 1))
                        .addAttribute(intAttr("group", 1));
            } else if (spec instanceof LayerSpec.Relu) {
                name = "relu_" + i;
                node.setOpType("Relu");
            } else if (spec instanceof LayerSpec.MaxPool p) {
                name = "maxpool_" + i;
                node.setOpType("MaxPool")
                        .addAttribute(ints("kernel_shape", p.kernel(), p.kernel()))
                        .addAttribute(ints("strides", p.stride(), p.stride()));
            } else if (spec instanceof LayerSpec.Flatten) {
                name = "flatten_" + i;
                node.setOpType("Flatten").addAttribute(intAttr("axis", 1));
            } else if (spec instanceof LayerSpec.Dense d) {
                name = "gemm_" + i;
                int inF = layer.inDims[0];
                int weights = d.outFeatures() * inF;
                g.addInitializer(tensor(name + ".weight", params, layer.paramOffset, weights, d.outFeatures(), inF));
                g.addInitializer(tensor(name + ".bias", params, layer.paramOffset + weights, d.outFeatures(),
                        d.outFeatures()));
                node.setOpType("Gemm").addInput(name + ".weight").addInput(name + ".bias")
                        .addAttribute(intAttr("transB", 1));
            } else {
                throw new IllegalStateException("no ONNX mapping for layer " + spec);
            }
            String output = name + "_out";
            g.addNode(node.setName(name).addOutput(output));
            current = output;
        }
        g.addNode(OnnxMl.NodeProto.newBuilder().setName("softmax").setOpType("Softmax").addInput(current)
                .addOutput(OUTPUT).addAttribute(intAttr("axis", 1)));
        g.addOutput(valueInfo(OUTPUT, network.classes()));

        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("retina-train")
                .setProducerVersion("1")
                .setDomain("dev.retina")
                .setModelVersion(modelVersion)
                .setDocString("Retina-trained CNN classifier, layers " + network.architecture())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return m.build();
    }

    /** A float tensor value with a symbolic leading batch dimension and the given fixed dimensions. */
    private static OnnxMl.ValueInfoProto valueInfo(String name, int... fixed) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int d : fixed) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorProto tensor(String name, float[] values, int offset, int count, int... dims) {
        ByteBuffer buf = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            buf.putFloat(values[offset + i]);
        }
        buf.flip();
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(buf));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }
}
