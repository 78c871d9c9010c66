package dev.retina.streams;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGTERM and SIGINT instead of the JVM's default, so that a stop request becomes a graceful close
 * followed by the exit code the application chooses (the default handler would exit with 143 or 130). Uses
 * {@code sun.misc.Signal} (module jdk.unsupported) through reflection, as Kafka's own signal logging does, so the
 * build does not depend on that API; where it is missing the caller keeps the default behaviour and should rely on
 * a shutdown hook.
 */
public final class TerminationSignals {

    private static final Logger LOG = LoggerFactory.getLogger(TerminationSignals.class);
    static final List<String> SIGNALS = List.of("TERM", "INT");

    private TerminationSignals() {
    }

    /**
     * Calls {@code action} (on the JVM's signal thread) when TERM or INT arrives.
     *
     * @return true if the handlers were installed
     */
    public static boolean install(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Method getName = signalClass.getMethod("getName");
            InvocationHandler onSignal = (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                    return method.getName().equals("toString") ? "retina termination handler"
                        : method.getName().equals("hashCode") ? System.identityHashCode(proxy) : proxy == args[0];
                }
                LOG.info("SIG{} received: stopping gracefully", getName.invoke(args[0]));
                action.run();
                return null;
            };
            Object handler = Proxy.newProxyInstance(TerminationSignals.class.getClassLoader(),
                new Class<?>[] {handlerClass}, onSignal);
            for (String name : SIGNALS) {
                handle.invoke(null, newSignal.newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("Cannot handle termination signals ({}); stopping through the shutdown hook only", e.toString());
            return false;
        }
    }
}
