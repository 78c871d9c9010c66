package dev.retina.engine.tensor;

/**
 * A tensor value of some element type. The engine computes on float32 {@link Tensor}s; int64
 * {@link LongTensor}s appear only in load-time shape arithmetic (Reshape targets, Shape, Gather, ...).
 */
public sealed interface Value permits Tensor, LongTensor {

    Shape shape();
}
