package dev.retina.engine.kernel;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Chooses the kernel set: {@link FastKernels} by default, {@link ScalarKernels} when the system
 * property {@value #PROPERTY} is {@code scalar}. Logs its choice once.
 */
public final class KernelProvider {

    /** System property forcing a kernel set: {@code scalar} or {@code fast}. */
    public static final String PROPERTY = "retina.kernels";

    private static final System.Logger LOG = System.getLogger(KernelProvider.class.getName());

    private static volatile Kernels chosen;

    private KernelProvider() {
    }

    /** The process-wide kernel set (chosen on first use). */
    public static Kernels get() {
        Kernels k = chosen;
        if (k == null) {
            synchronized (KernelProvider.class) {
                k = chosen;
                if (k == null) {
                    String requested = System.getProperty(PROPERTY, "fast");
                    k = byName(requested);
                    LOG.log(Level.INFO, "retina kernels chosen: {0} ({1}={2})", k.name(), PROPERTY, requested);
                    chosen = k;
                }
            }
        }
        return k;
    }

    /**
     * The kernel set of the given name.
     *
     * @throws IllegalArgumentException for a name other than {@code scalar} or {@code fast}
     */
    public static Kernels byName(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "scalar":
                return new ScalarKernels();
            case "fast":
                return new FastKernels();
            default:
                throw new IllegalArgumentException(PROPERTY + " must be 'scalar' or 'fast', found '" + name + "'");
        }
    }
}
