package dev.retina.engine.testing;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds {@code TensorProto} messages (initializers and {@code Constant} values) in either {@link TensorEncoding}. */
public final class OnnxTensors {
    private OnnxTensors() {
    }

    /**
     * A float32 tensor. {@code dims} empty means a scalar (one element).
     *
     * @throws IllegalArgumentException if the element count of {@code dims} differs from {@code data.length}
     */
    public static TensorProto floats(String name, float[] data, TensorEncoding encoding, int... dims) {
        checkCount(name, data.length, dims);
        TensorProto.Builder b = header(name, DataType.FLOAT, dims);
        if (encoding == TensorEncoding.RAW_DATA) {
            ByteBuffer buf = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(data);
            b.setRawData(ByteString.copyFrom(buf.array()));
        } else {
            for (float v : data) {
                b.addFloatData(v);
            }
        }
        return b.build();
    }

    /** An int64 tensor (shapes, axes, indices). {@code dims} empty means a scalar. */
    public static TensorProto int64s(String name, long[] data, TensorEncoding encoding, int... dims) {
        checkCount(name, data.length, dims);
        TensorProto.Builder b = header(name, DataType.INT64, dims);
        if (encoding == TensorEncoding.RAW_DATA) {
            ByteBuffer buf = ByteBuffer.allocate(data.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asLongBuffer().put(data);
            b.setRawData(ByteString.copyFrom(buf.array()));
        } else {
            for (long v : data) {
                b.addInt64Data(v);
            }
        }
        return b.build();
    }

    private static TensorProto.Builder header(String name, DataType type, int... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (int d : dims) {
            b.addDims(d);
        }
        return b;
    }

    private static void checkCount(String name, int length, int... dims) {
        long count = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': dims must be >= 0, found " + d);
            }
            count *= d;
        }
        if (count != length) {
            throw new IllegalArgumentException("tensor '" + name + "': dims " + java.util.Arrays.toString(dims)
                    + " hold " + count + " elements, found " + length + " values");
        }
    }
}
