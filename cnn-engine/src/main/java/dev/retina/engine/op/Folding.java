package dev.retina.engine.op;

import dev.retina.engine.tensor.Value;
import java.util.List;

/**
 * An op that can produce its outputs at load time, including int64 shape arithmetic. Ops without
 * this interface are folded by running them on constant float inputs.
 */
public interface Folding {

    /**
     * The constant outputs, or null if they depend on run-time data.
     *
     * @param inputs per node input, its constant value, or null if only known at run time
     */
    List<Value> fold(List<Value> inputs);
}
