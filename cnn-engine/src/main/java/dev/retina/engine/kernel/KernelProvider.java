package dev.retina.engine.kernel;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;

/**
 * Chooses the kernel set, once per process, and logs the choice through {@link System.Logger}:
 * {@link VectorKernels} when the module {@value #VECTOR_MODULE} is in the boot layer (the JVM was
 * started with {@code --add-modules jdk.incubator.vector}), otherwise {@link FastKernels}. The system
 * property {@value #PROPERTY} forces a set: {@code scalar}, {@code fast} or {@code vector} (the latter
 * fails when the module is missing).
 */
public final class KernelProvider {

    /** System property forcing a kernel set: {@code scalar}, {@code fast} or {@code vector}. */
    public static final String PROPERTY = "retina.kernels";

    /** The incubator module holding the Vector API. */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

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
                    String requested = System.getProperty(PROPERTY);
                    if (requested == null) {
                        k = byName(vectorAvailable() ? "vector" : "fast");
                        LOG.log(Level.INFO, "retina kernels chosen: {0} (module {1} {2}; {3} not set)", k.name(),
                                VECTOR_MODULE, vectorAvailable() ? "present" : "absent", PROPERTY);
                    } else {
                        k = byName(requested);
                        LOG.log(Level.INFO, "retina kernels chosen: {0} ({1}={2})", k.name(), PROPERTY, requested);
                    }
                    chosen = k;
                }
            }
        }
        return k;
    }

    /** Whether the Vector API module is in the boot layer, so {@code vector} kernels can run. */
    public static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * The kernel set of the given name.
     *
     * @throws IllegalArgumentException for a name other than {@code scalar}, {@code fast} or
     *                                  {@code vector}, or {@code vector} without the module
     */
    public static Kernels byName(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "scalar":
                return new ScalarKernels();
            case "fast":
                return new FastKernels();
            case "vector":
                return vectorKernels();
            default:
                throw new IllegalArgumentException(
                        PROPERTY + " must be 'scalar', 'fast' or 'vector', found '" + name + "'");
        }
    }

    // Reflective, so that no class of this one's links against the incubator module unless it is there.
    private static Kernels vectorKernels() {
        if (!vectorAvailable()) {
            throw new IllegalArgumentException(PROPERTY + "=vector needs the module " + VECTOR_MODULE
                    + " (start the JVM with --add-modules " + VECTOR_MODULE + "), found it absent");
        }
        try {
            return (Kernels) Class.forName(KernelProvider.class.getPackageName() + ".VectorKernels")
                    .getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException
                 | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot create the vector kernels", e);
        }
    }
}
