package dev.retina.engine.testing;

/**
 * How a generated initializer stores its numbers. ONNX allows both, exporters use both (PyTorch writes
 * {@code raw_data}, hand-written or older tools write the typed repeated fields), and an importer must read both.
 */
public enum TensorEncoding {
    /** Little-endian bytes in {@code TensorProto.raw_data}. */
    RAW_DATA,
    /** The typed repeated field: {@code float_data} for float32, {@code int64_data} for int64. */
    TYPED_FIELD
}
