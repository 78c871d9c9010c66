package dev.retina.engine.onnx;

/**
 * Bounds applied while importing an untrusted model file, checked before anything large is allocated.
 *
 * @param maxFileBytes      largest accepted file (bytes)
 * @param maxTensorElements largest element count of any tensor: initializers, constants and every
 *                          intermediate value of a plan
 * @param maxRank           largest tensor rank
 * @param maxNodes          largest number of graph nodes
 */
public record ImportLimits(long maxFileBytes, long maxTensorElements, int maxRank, int maxNodes) {

    /** Protobuf nesting depth accepted by the parser (ONNX models nest only a few levels). */
    public static final int PROTOBUF_RECURSION_LIMIT = 64;

    public ImportLimits {
        if (maxFileBytes < 1 || maxFileBytes > Integer.MAX_VALUE - 8L) {
            throw new IllegalArgumentException("maxFileBytes must be in [1, 2^31 - 9], found " + maxFileBytes);
        }
        if (maxTensorElements < 1 || maxTensorElements > Integer.MAX_VALUE - 8L) {
            throw new IllegalArgumentException("maxTensorElements must be in [1, 2^31 - 9], found "
                    + maxTensorElements);
        }
        if (maxRank < 1 || maxNodes < 1) {
            throw new IllegalArgumentException("maxRank and maxNodes must be >= 1, found " + maxRank + ", "
                    + maxNodes);
        }
    }

    /** 1 GiB files, 2^28 elements (1 GiB of float32) per tensor, rank 8, 100 000 nodes. */
    public static ImportLimits defaults() {
        return new ImportLimits(1L << 30, 1L << 28, 8, 100_000);
    }

    public ImportLimits withMaxFileBytes(long bytes) {
        return new ImportLimits(bytes, maxTensorElements, maxRank, maxNodes);
    }

    public ImportLimits withMaxTensorElements(long elements) {
        return new ImportLimits(maxFileBytes, elements, maxRank, maxNodes);
    }
}
