package dev.retina.engine.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes an ONNX TensorProto: FLOAT to a {@link Tensor} (from little-endian raw_data or float_data);
 * INT64, INT32 and BOOL to a {@link LongTensor} (shape arithmetic, indices, flags). Dimensions are
 * checked against the {@link ImportLimits} before any array is allocated; external data and every
 * other data type are rejected.
 */
final class TensorDecoder {

    private final ImportLimits limits;

    TensorDecoder(ImportLimits limits) {
        this.limits = limits;
    }

    Value decode(TensorProto t, String where) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new ModelLoadException(Reason.UNSUPPORTED_DATA_TYPE, where
                    + ": data stored outside the model file (external data) is not supported");
        }
        Shape shape = shape(t, where);
        int n = (int) shape.size();
        int type = t.getDataType();
        switch (type) {
            case TensorProto.DataType.FLOAT_VALUE:
                return Tensor.of(shape, floats(t, n, where));
            case TensorProto.DataType.INT64_VALUE:
                return LongTensor.of(shape, int64s(t, n, where));
            case TensorProto.DataType.INT32_VALUE:
            case TensorProto.DataType.BOOL_VALUE:
                return LongTensor.of(shape, int32s(t, n, type == TensorProto.DataType.BOOL_VALUE ? 1 : 4, where));
            default:
                TensorProto.DataType dt = TensorProto.DataType.forNumber(type);
                throw new ModelLoadException(Reason.UNSUPPORTED_DATA_TYPE, where + ": expected data type FLOAT"
                        + " (float32 models; INT64/INT32/BOOL for shapes and indices), found "
                        + (dt == null ? "unknown type " + type : dt.name()));
        }
    }

    private Shape shape(TensorProto t, String where) {
        if (t.getDimsCount() > limits.maxRank()) {
            throw new ModelLoadException(Reason.LIMIT_EXCEEDED, where + ": rank " + t.getDimsCount()
                    + " exceeds the limit " + limits.maxRank());
        }
        int[] dims = new int[t.getDimsCount()];
        long size = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > limits.maxTensorElements()) {
                throw new ModelLoadException(Reason.LIMIT_EXCEEDED, where + ": dimension " + i + " is " + d
                        + ", expected 0.." + limits.maxTensorElements());
            }
            dims[i] = (int) d;
            size *= d;
            if (size > limits.maxTensorElements()) {
                throw new ModelLoadException(Reason.LIMIT_EXCEEDED, where + ": dims " + t.getDimsList()
                        + " exceed the limit of " + limits.maxTensorElements() + " elements");
            }
        }
        return Shape.of(dims);
    }

    private static float[] floats(TensorProto t, int n, String where) {
        float[] out = new float[n];
        if (t.hasRawData()) {
            checkCount(t.getRawData().size(), (long) n * 4, "raw_data bytes", where);
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            checkCount(t.getFloatDataCount(), n, "float_data values", where);
            for (int i = 0; i < n; i++) {
                out[i] = t.getFloatData(i);
            }
        }
        return out;
    }

    private static long[] int64s(TensorProto t, int n, String where) {
        long[] out = new long[n];
        if (t.hasRawData()) {
            checkCount(t.getRawData().size(), (long) n * 8, "raw_data bytes", where);
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        } else {
            checkCount(t.getInt64DataCount(), n, "int64_data values", where);
            for (int i = 0; i < n; i++) {
                out[i] = t.getInt64Data(i);
            }
        }
        return out;
    }

    private static long[] int32s(TensorProto t, int n, int width, String where) {
        long[] out = new long[n];
        if (t.hasRawData()) {
            checkCount(t.getRawData().size(), (long) n * width, "raw_data bytes", where);
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = width == 1 ? b.get(i) : b.getInt(i * 4);
            }
        } else {
            checkCount(t.getInt32DataCount(), n, "int32_data values", where);
            for (int i = 0; i < n; i++) {
                out[i] = t.getInt32Data(i);
            }
        }
        return out;
    }

    private static void checkCount(long found, long expected, String what, String where) {
        if (found != expected) {
            throw new ModelLoadException(Reason.INVALID_MODEL, where + ": expected " + expected + " " + what
                    + " for its dims, found " + found);
        }
    }
}
