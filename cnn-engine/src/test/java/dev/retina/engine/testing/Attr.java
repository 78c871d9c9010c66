package dev.retina.engine.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.TensorProto;

/** Short factories for ONNX node attributes, so a test reads like the operator's spec: {@code Attr.ints("pads", 1, 1, 1, 1)}. */
public final class Attr {
    private Attr() {
    }

    /** An INT attribute. */
    public static AttributeProto i(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    /** An INTS attribute. */
    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    /** A FLOAT attribute. */
    public static AttributeProto f(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
    }

    /** A FLOATS attribute. */
    public static AttributeProto floats(String name, float... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
        for (float v : values) {
            b.addFloats(v);
        }
        return b.build();
    }

    /** A STRING attribute (UTF-8). */
    public static AttributeProto s(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
    }

    /** A TENSOR attribute, as {@code Constant}'s {@code value}. */
    public static AttributeProto tensor(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(value).build();
    }
}
