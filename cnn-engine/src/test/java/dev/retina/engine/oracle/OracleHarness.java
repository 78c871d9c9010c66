package dev.retina.engine.oracle;

import ai.onnxruntime.OrtException;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.Model;
import dev.retina.engine.kernel.KernelProvider;
import dev.retina.engine.kernel.Kernels;
import dev.retina.engine.onnx.ImportLimits;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.SeededRandom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs one model in both the engine and ONNX Runtime on the same input and asserts that every output agrees: same
 * names, same shapes, and every element within {@code tolerance * max(1, |expected|)}. Each comparison is printed as
 * one {@code [oracle]} line (max abs and relative diffs), so the test log doubles as the accuracy report.
 *
 * <p>The engine runs the model once per kernel set the harness was made with: the process default (the fast kernels
 * unless {@code retina.kernels} says otherwise) and, for operator tests, also the scalar reference kernels, so both
 * implementations are held to ONNX Runtime. One harness owns one engine; create it per test class and close it after.
 */
final class OracleHarness implements AutoCloseable {
    /** The tolerance issue 3 sets for every operator and model. */
    static final double TOLERANCE = 1e-4;

    private final Engine engine;
    private final List<Kernels> kernelSets;

    private OracleHarness(Engine engine, List<Kernels> kernelSets) {
        this.engine = engine;
        this.kernelSets = kernelSets;
    }

    /** A harness on an engine with the default thread count and the process-wide kernels only (for whole networks). */
    static OracleHarness create() {
        return new OracleHarness(Engine.create(), List.of(KernelProvider.get()));
    }

    /** A harness that checks every model with the process-wide kernels and with the scalar reference kernels. */
    static OracleHarness withBothKernelSets() {
        Kernels chosen = KernelProvider.get();
        Kernels scalar = KernelProvider.byName("scalar");
        return new OracleHarness(Engine.create(),
                chosen.name().equals(scalar.name()) ? List.of(chosen) : List.of(chosen, scalar));
    }

    /** A harness on an engine with {@code threads} workers and the process-wide kernels. */
    static OracleHarness withThreads(int threads) {
        return new OracleHarness(Engine.create(threads), List.of(KernelProvider.get()));
    }

    /** A tensor of standard normal values from {@code seed}. */
    static Tensor normal(long seed, int... dims) {
        return Tensor.of(Shape.of(dims), new SeededRandom(seed).normal(count(dims), 0, 1));
    }

    /** A tensor of values with magnitude in [lo, hi) and random sign (divisors, values clear of zero). */
    static Tensor awayFromZero(long seed, double lo, double hi, int... dims) {
        return Tensor.of(Shape.of(dims), new SeededRandom(seed).awayFromZero(count(dims), lo, hi));
    }

    /** Runs {@code model} in the engine only, with the first kernel set of this harness. */
    Map<String, Tensor> runEngine(byte[] model, Map<String, Tensor> inputs) {
        return runEngine(model, inputs, kernelSets.get(0));
    }

    private Map<String, Tensor> runEngine(byte[] model, Map<String, Tensor> inputs, Kernels kernels) {
        Model loaded = OnnxImporter.load(model, ImportLimits.defaults(), kernels);
        try (Session session = engine.newSession(loaded)) {
            return session.run(inputs);
        }
    }

    /** Runs {@code model} in ONNX Runtime only. */
    static Map<String, HostTensor> runOrt(byte[] model, Map<String, Tensor> inputs) {
        Map<String, HostTensor> host = new LinkedHashMap<>();
        inputs.forEach((name, t) -> host.put(name, toHost(t)));
        try {
            return OrtReference.run(model, host);
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime rejected the test model (a bug in the test, not the engine): "
                    + e.getMessage(), e);
        }
    }

    /** {@link #check(String, byte[], Map, double)} with the standard tolerance and a single input. */
    List<TensorComparison> check(String label, byte[] model, String inputName, Tensor input) {
        return check(label, model, Map.of(inputName, input), TOLERANCE);
    }

    /** {@link #check(String, byte[], Map, double)} with the standard tolerance. */
    List<TensorComparison> check(String label, byte[] model, Map<String, Tensor> inputs) {
        return check(label, model, inputs, TOLERANCE);
    }

    /**
     * Runs {@code model} on {@code inputs} in ONNX Runtime and in the engine and asserts the outputs agree.
     *
     * @return one comparison per output and kernel set, in ONNX Runtime's output order
     */
    List<TensorComparison> check(String label, byte[] model, Map<String, Tensor> inputs, double tolerance) {
        Map<String, HostTensor> expected = runOrt(model, inputs);
        Map<String, float[]> inputCopies = new LinkedHashMap<>();
        inputs.forEach((name, t) -> inputCopies.put(name, t.data().clone()));
        List<TensorComparison> comparisons = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Kernels kernels : kernelSets) {
            String run = kernelSets.size() == 1 ? label : label + " [" + kernels.name() + " kernels]";
            Map<String, Tensor> actual = runEngine(model, inputs, kernels);
            compare(run, expected, actual, tolerance, comparisons, failures);
            // The engine must treat the caller's input tensors as read-only.
            inputCopies.forEach((name, copy) -> {
                if (!Arrays.equals(copy, inputs.get(name).data())) {
                    failures.add(run + ": the engine modified input '" + name + "'");
                }
            });
        }
        if (!failures.isEmpty()) {
            fail(label + " differs from ONNX Runtime:\n  " + String.join("\n  ", failures));
        }
        return comparisons;
    }

    private static void compare(String label, Map<String, HostTensor> expected, Map<String, Tensor> actual,
                                double tolerance, List<TensorComparison> comparisons, List<String> failures) {
        assertThat(actual.keySet()).as("%s: output names", label).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, HostTensor> e : expected.entrySet()) {
            Tensor got = actual.get(e.getKey());
            int[] gotShape = got.shape().dims();
            if (!Arrays.equals(gotShape, e.getValue().shape())) {
                failures.add(label + " " + e.getKey() + ": shape expected " + Arrays.toString(e.getValue().shape())
                        + ", found " + Arrays.toString(gotShape));
                continue;
            }
            TensorComparison c = TensorComparison.of(e.getKey(), e.getValue().data(), got.data());
            comparisons.add(c);
            System.out.println("[oracle] " + label + " | " + c.summary());
            if (!c.within(tolerance)) {
                failures.add(label + " " + c.summary() + " exceeds tolerance " + tolerance + " * max(1, |ref|)");
            }
        }
    }

    static HostTensor toHost(Tensor t) {
        return new HostTensor(t.shape().dims(), t.data());
    }

    private static int count(int... dims) {
        int n = 1;
        for (int d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public void close() {
        engine.close();
    }
}
