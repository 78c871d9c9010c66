package dev.retina.cli;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.exec.StepProfile;
import dev.retina.engine.graph.Model;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.kernel.KernelProvider;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code retina bench --model M.onnx [--batch B] [--threads T] [--seconds S] [--compare onnxruntime] [--jdk-info]}:
 * measures the engine's throughput and latency on a seeded random input, and optionally ONNX Runtime's in the
 * same process. Each engine is warmed up, then the engines run alternately in slices of about half a second
 * until each has run for S seconds, so that both see the same machine load. Each slice opens with untimed calls
 * for a tenth of it (at least one): the calls after the other engine's slice paid for that engine's leftovers (its
 * worker threads still spinning on the same two cores, its data in the caches), which neither engine sees when it
 * runs alone (MobileNetV2, batch 1, 2 threads: retina alone 147.7 images/s with a p99 of 9.8 ms, in slices timed
 * from their first call 136.4 with 18.4 ms). Prints, one line per engine (other
 * tooling parses these lines; their form must not change):
 * <pre>
 * engine=retina model=NAME batch=B threads=T images_per_s=X p50_ms=Y p99_ms=Z alloc_bytes_per_image=W
 * engine=onnxruntime model=NAME batch=B threads=T images_per_s=X p50_ms=Y p99_ms=Z
 * ratio_vs_onnxruntime=R
 * </pre>
 * NAME is the file name without {@code .onnx}; latencies are per call (one batch); images/s is images divided by
 * the summed call times; allocation is the bytes every JVM thread allocated during the engine's timed calls,
 * divided by the images. Retina runs with output tensors allocated once ({@code Session.run(inputs, outputs)}, as a
 * serving loop would), so the allocation is the engine's own, not the copy of the scores. {@code --jdk-info} first
 * prints one line about the JVM and the kernels.
 * {@code --profile} then runs retina S seconds more with every step timed ({@link StepProfile}) and prints one
 * {@code profile step=...} line per step, the most expensive first (a batch the session runs image by image is
 * profiled per image, on the batch-1 plan); with {@code --compare onnxruntime} it then runs ONNX Runtime with its
 * own profiler on (at most {@value #ORT_PROFILE_MAX_CALLS} calls) and prints one {@code profile engine=onnxruntime
 * ...} line per node of ONNX Runtime's optimised graph ({@link OrtNodeTime}), so the two can be set layer by layer.
 *
 * <p>ONNX Runtime is an optional dependency of this tool only (never of the engine or the app): it is looked up on
 * the class path when {@code --compare onnxruntime} is given, and its absence is an error naming the artifact.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the engine's images/s and latency on a model, optionally against ONNX Runtime.")
public final class BenchCommand implements Callable<Integer> {

    /** ONNX Runtime's profiled calls stop here: its trace grows by an event per node per call. */
    static final int ORT_PROFILE_MAX_CALLS = 300;
    /** The class whose presence means ONNX Runtime's Java API is on the class path. */
    static final String ONNX_RUNTIME_CLASS = "ai.onnxruntime.OrtEnvironment";

    private static final long SLICE_NANOS = 500_000_000L;
    /** Untimed calls that open each slice (see the class comment). */
    private static final long SETTLE_NANOS = SLICE_NANOS / 10;

    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model file.")
    Path model;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "Images per call (default: 1).")
    int batch;

    @Option(names = "--threads", paramLabel = "T",
            description = "Engine (and ONNX Runtime intra-op) threads (default: the number of processors).")
    Integer threads;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "Timed seconds per engine, after warm-up (default: 10).")
    double seconds;

    @Option(names = "--warmup-seconds", paramLabel = "W", defaultValue = "3",
            description = "Warm-up seconds per engine before timing (default: 3).")
    double warmupSeconds;

    @Option(names = "--compare", paramLabel = "ENGINE",
            description = "Also measure this engine in the same process, alternating; only 'onnxruntime'.")
    String compare;

    @Option(names = "--jdk-info", description = "Also print the JVM version and the kernel set in use.")
    boolean jdkInfo;

    @Option(names = "--profile", description = "After the timed runs, run retina S seconds more with every step "
            + "timed and print one 'profile step=...' line per step, the most expensive first; with --compare "
            + "onnxruntime, then ONNX Runtime's nodes from its own profiler ('profile engine=onnxruntime ...').")
    boolean profile;

    /** Where ONNX Runtime is looked for; tests point it at a missing class. */
    String onnxRuntimeClass = ONNX_RUNTIME_CLASS;

    @Override
    public Integer call() throws Exception {
        validate();
        int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        InferCommand.requireFile(model, "--model");
        boolean withOrt = compare != null;
        if (withOrt && !onnxRuntimeAvailable()) {
            throw new IllegalStateException("--compare onnxruntime needs ONNX Runtime's Java API "
                    + "(com.microsoft.onnxruntime:onnxruntime) on the class path, and it is not there (class "
                    + onnxRuntimeClass + " not found)");
        }
        byte[] bytes = Files.readAllBytes(model);
        Model loaded = OnnxImporter.load(bytes);
        ValueInfo input = loaded.inputs().get(0);
        Shape shape = batchShape(input);
        Tensor x = randomInput(shape);
        String name = modelName(model);
        PrintWriter out = spec.commandLine().getOut();
        if (jdkInfo) {
            out.println(jdkInfoLine(loaded, workers));
            out.flush();
        }
        try (Engine engine = Engine.create(workers);
             Session session = engine.newSession(loaded);
             OrtBench ort = withOrt ? new OrtBench(bytes, input.name(), shape, x.data(), workers) : null) {
            Timing retina = new Timing(true);
            Timing onnx = new Timing(false);
            Map<String, Tensor> inputs = Map.of(input.name(), x);
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            for (int i = 0; i < loaded.outputs().size(); i++) {
                outputs.put(loaded.outputs().get(i).name(), Tensor.zeros(session.outputShape(i, shape.dim(0))));
            }
            Runnable retinaCall = () -> session.run(inputs, outputs);
            warmUp(retinaCall);
            if (ort != null) {
                warmUp(ort::run);
            }
            long target = (long) (seconds * 1e9);
            while (retina.totalNanos < target || (ort != null && onnx.totalNanos < target)) {
                if (retina.totalNanos < target) {
                    retina.slice(retinaCall);
                }
                if (ort != null && onnx.totalNanos < target) {
                    onnx.slice(ort::run);
                }
            }
            out.println(String.format(Locale.ROOT,
                    "engine=retina model=%s batch=%d threads=%d images_per_s=%.2f p50_ms=%.3f p99_ms=%.3f"
                            + " alloc_bytes_per_image=%d",
                    name, batch, workers, retina.imagesPerSecond(batch), retina.percentileMillis(50),
                    retina.percentileMillis(99), retina.allocatedBytes / ((long) retina.calls * batch)));
            if (ort != null) {
                out.println(String.format(Locale.ROOT,
                        "engine=onnxruntime model=%s batch=%d threads=%d images_per_s=%.2f p50_ms=%.3f p99_ms=%.3f",
                        name, batch, workers, onnx.imagesPerSecond(batch), onnx.percentileMillis(50),
                        onnx.percentileMillis(99)));
                out.println(String.format(Locale.ROOT, "ratio_vs_onnxruntime=%.3f",
                        retina.imagesPerSecond(batch) / onnx.imagesPerSecond(batch)));
            }
            if (profile) {
                printProfile(out, session, inputs, outputs, target);
                if (ort != null) {
                    printOrtProfile(out, ort.profile(target, ORT_PROFILE_MAX_CALLS));
                }
            }
            out.flush();
        }
        return 0;
    }

    /**
     * Runs retina for {@code nanos} more with every step timed and prints a line per step, the most
     * expensive first: {@code profile step=S node=NAME op=TYPE output=SHAPE macs=M share_pct=P
     * ms_per_call=T gmacs_per_s=G}.
     */
    private static void printProfile(PrintWriter out, Session session, Map<String, Tensor> inputs,
                                     Map<String, Tensor> outputs, long nanos) {
        StepProfile steps = new StepProfile();
        long start = System.nanoTime();
        do {
            session.run(inputs, outputs, steps);
        } while (System.nanoTime() - start < nanos);
        double total = steps.totalNanos();
        List<StepProfile.Entry> entries = new ArrayList<>(steps.entries());
        entries.sort(Comparator.comparingLong(StepProfile.Entry::nanos).reversed());
        for (StepProfile.Entry e : entries) {
            String node = e.node() == null || e.node().isBlank() ? "-" : e.node().replace(' ', '_');
            String shape = e.output() == null ? "-" : Arrays.toString(e.output().dims()).replace(" ", "");
            out.println(String.format(Locale.ROOT,
                    "profile step=%d node=%s op=%s output=%s macs=%d share_pct=%.1f ms_per_call=%.3f gmacs_per_s=%.1f",
                    e.step(), node, e.opType(), shape, e.macs(), total == 0 ? 0 : 100 * e.nanos() / total,
                    e.millisPerCall(), e.gigaMacsPerSecond()));
        }
    }

    /**
     * With {@code --compare onnxruntime}, ONNX Runtime's nodes after retina's steps, most expensive
     * first: {@code profile engine=onnxruntime node=NAME op=TYPE output=SHAPE share_pct=P ms_per_call=T}.
     */
    private static void printOrtProfile(PrintWriter out, List<OrtNodeTime> nodes) {
        double total = nodes.stream().mapToLong(OrtNodeTime::micros).sum();
        for (OrtNodeTime n : nodes) {
            out.println(String.format(Locale.ROOT,
                    "profile engine=onnxruntime node=%s op=%s output=%s share_pct=%.1f ms_per_call=%.3f",
                    n.node().isBlank() ? "-" : n.node().replace(' ', '_'), n.op(), n.output(),
                    total == 0 ? 0 : 100 * n.micros() / total, n.millisPerCall()));
        }
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        if (batch < 1) {
            throw new CommandLine.ParameterException(cl, "--batch must be at least 1, found " + batch);
        }
        if (threads != null && threads < 1) {
            throw new CommandLine.ParameterException(cl, "--threads must be at least 1, found " + threads);
        }
        if (!(seconds > 0) || seconds > 3600) {
            throw new CommandLine.ParameterException(cl, "--seconds must be in (0, 3600], found " + seconds);
        }
        if (!(warmupSeconds >= 0) || warmupSeconds > 3600) {
            throw new CommandLine.ParameterException(cl,
                    "--warmup-seconds must be in [0, 3600], found " + warmupSeconds);
        }
        if (compare != null && !"onnxruntime".equals(compare.toLowerCase(Locale.ROOT))) {
            throw new CommandLine.ParameterException(cl,
                    "--compare supports only 'onnxruntime', found '" + compare + "'");
        }
    }

    private boolean onnxRuntimeAvailable() {
        try {
            Class.forName(onnxRuntimeClass, false, BenchCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The model input's shape with the batch dimension set; a fixed batch must equal {@code --batch}. */
    private Shape batchShape(ValueInfo input) {
        int[] dims = input.shape().dims().clone();
        if (dims.length == 0) {
            throw new IllegalArgumentException("--model: input '" + input.name()
                    + "' is a scalar; expected a batch-first tensor");
        }
        if (dims[0] >= 0 && dims[0] != batch) {
            throw new IllegalArgumentException("--batch " + batch + " does not fit the model: input '" + input.name()
                    + "' has a fixed batch of " + dims[0] + " (shape " + input.shape() + ")");
        }
        dims[0] = batch;
        return Shape.of(dims);
    }

    private static Tensor randomInput(Shape shape) {
        SplittableRandom r = new SplittableRandom(1);
        float[] data = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextDouble();
        }
        return Tensor.of(shape, data);
    }

    static String modelName(Path file) {
        String n = file.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }

    private static String jdkInfoLine(Model loaded, int workers) {
        return String.format(Locale.ROOT,
                "jdk java_version=%s java_vm=%s vector_module=%s kernels=%s processors=%d threads=%d"
                        + " macs_per_image=%d",
                System.getProperty("java.version"), System.getProperty("java.vm.name").replace(' ', '_'),
                KernelProvider.vectorAvailable() ? "present" : "absent", loaded.kernels().name(),
                Runtime.getRuntime().availableProcessors(), workers, loaded.macsPerImage());
    }

    private void warmUp(Runnable call) {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            call.run();
        } while (System.nanoTime() < end);
    }

    /** Per-engine call times (kept in a growing array) and allocation. */
    private static final class Timing {
        private final boolean countAllocation;
        private long[] nanos = new long[1 << 16];
        private int calls;
        private long totalNanos;
        private long allocatedBytes;

        Timing(boolean countAllocation) {
            this.countAllocation = countAllocation;
        }

        /**
         * Calls {@code call} untimed for about {@link #SETTLE_NANOS} (at least once), then timed for about
         * {@link #SLICE_NANOS} (at least once).
         */
        void slice(Runnable call) {
            long settleEnd = System.nanoTime() + SETTLE_NANOS;
            do {
                call.run();
            } while (System.nanoTime() < settleEnd);
            long before = countAllocation ? allocatedByAllThreads() : 0;
            long sliceEnd = System.nanoTime() + SLICE_NANOS;
            long now;
            do {
                if (calls == nanos.length) {
                    nanos = Arrays.copyOf(nanos, calls * 2);
                }
                long t0 = System.nanoTime();
                call.run();
                now = System.nanoTime();
                nanos[calls++] = now - t0;
                totalNanos += now - t0;
            } while (now < sliceEnd);
            if (countAllocation) {
                allocatedBytes += allocatedByAllThreads() - before;
            }
        }

        double imagesPerSecond(int batch) {
            return (double) calls * batch / (totalNanos / 1e9);
        }

        /** Nearest-rank percentile of the call times, in milliseconds. */
        double percentileMillis(int p) {
            long[] sorted = Arrays.copyOf(nanos, calls);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(p / 100.0 * calls);
            return sorted[Math.max(0, rank - 1)] / 1e6;
        }

        private static long allocatedByAllThreads() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            if (!(mx instanceof com.sun.management.ThreadMXBean)) {
                return 0;
            }
            com.sun.management.ThreadMXBean hs = (com.sun.management.ThreadMXBean) mx;
            long sum = 0;
            for (long b : hs.getThreadAllocatedBytes(mx.getAllThreadIds())) {
                if (b > 0) {
                    sum += b;
                }
            }
            return sum;
        }
    }
}
