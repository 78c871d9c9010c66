package dev.retina.engine.kernel;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A JMH auxiliary counter of floating-point work: each benchmark call adds its own GFLOP
 * (2 x multiply-adds / 1e9), and JMH reports the counter as a rate, i.e. GFLOP/s, in the
 * {@code :gflop} line next to the call rate.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class GigaFlops {

    /** GFLOP done in the current iteration; read by JMH, hence public and mutable. */
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() {
        gflop = 0;
    }

    /** Counts one call of {@code macs} multiply-adds. */
    void add(long macs) {
        gflop += 2e-9 * macs;
    }
}
