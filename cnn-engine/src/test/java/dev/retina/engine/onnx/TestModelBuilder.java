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
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Builds tiny ONNX models in test code with the protobuf builders. Initializers are written as
 * little-endian raw_data by default, or as typed float_data with {@link #floatDataInitializer}.
 */
public final class TestModelBuilder {

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
    private final int opset;
    private int nodeCount;

    public TestModelBuilder(int opset) {
        this.opset = opset;
    }

    /** A float input; a dimension of -1 is a dynamic (dim_param) dimension. */
    public TestModelBuilder input(String name, int... dims) {
        graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT_VALUE, dims));
        return this;
    }

    public TestModelBuilder typedInput(String name, int elemType, int... dims) {
        graph.addInput(valueInfo(name, elemType, dims));
        return this;
    }

    public TestModelBuilder output(String name) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE))));
        return this;
    }

    public TestModelBuilder initializer(String name, float[] data, int... dims) {
        graph.addInitializer(floatTensor(name, data, dims));
        return this;
    }

    /** A seeded random initializer in [-scale, scale). */
    public TestModelBuilder randomInitializer(String name, long seed, float scale, int... dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return initializer(name, random(seed, (int) n, scale), dims);
    }

    public TestModelBuilder floatDataInitializer(String name, float[] data, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (int d : dims) {
            t.addDims(d);
        }
        for (float f : data) {
            t.addFloatData(f);
        }
        graph.addInitializer(t);
        return this;
    }

    public TestModelBuilder int64Initializer(String name, long[] data, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        for (int d : dims) {
            t.addDims(d);
        }
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : data) {
            b.putLong(v);
        }
        t.setRawData(ByteString.copyFrom(b.array()));
        graph.addInitializer(t);
        return this;
    }

    /** Adds an initializer built by the caller (e.g. with a bad data type). */
    public TestModelBuilder initializer(TensorProto t) {
        graph.addInitializer(t);
        return this;
    }

    public TestModelBuilder node(String op, String[] inputs, String[] outputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase() + "_" + nodeCount++);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (String o : outputs) {
            n.addOutput(o);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return this;
    }

    /** Shorthand for a one-input, one-output node. */
    public TestModelBuilder node(String op, String input, String output, AttributeProto... attrs) {
        return node(op, new String[] {input}, new String[] {output}, attrs);
    }

    public ModelProto proto() {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("retina-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    public byte[] build() {
        return proto().toByteArray();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto i(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto f(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto s(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    public static AttributeProto tensor(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }

    public static TensorProto floatTensor(String name, float[] data, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (int d : dims) {
            t.addDims(d);
        }
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            b.putFloat(v);
        }
        return t.setRawData(ByteString.copyFrom(b.array())).build();
    }

    public static float[] random(long seed, int n, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return out;
    }

    private static ValueInfoProto valueInfo(String name, int elemType, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }
}
