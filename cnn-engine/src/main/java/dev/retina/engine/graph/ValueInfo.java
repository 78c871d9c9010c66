package dev.retina.engine.graph;

import dev.retina.engine.tensor.Shape;

/**
 * A named graph input or output and its shape; a dynamic (batch) dimension is
 * {@link Shape#UNKNOWN} (-1).
 */
public record ValueInfo(String name, Shape shape) {
}
