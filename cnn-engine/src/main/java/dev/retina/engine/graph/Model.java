package dev.retina.engine.graph;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.Kernels;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loaded, shape-checked and optimised model, immutable and safe to share between sessions and
 * threads. Built by {@code OnnxImporter}: the graph is sorted, rewritten (BatchNorm folding,
 * activation fusion) and compiled once for batch 1 (and batch 2 when the batch is dynamic), so any
 * unsupported operator, attribute or shape fails at load time. Plans for other batch sizes are
 * compiled on first use and cached (prepared weights are shared by all of them).
 */
public final class Model {

    /** How many batch-specialised plans are kept. */
    private static final int MAX_CACHED_PLANS = 8;

    private final Graph graph;
    private final Kernels kernels;
    private final long maxElements;
    private final Map<String, Integer> operatorCounts;
    private final long parameterCount;
    private final List<ValueInfo> inputs;
    private final List<ValueInfo> outputs;
    private final long macsPerImage;
    private final Map<Object, Object> preparedCache = new ConcurrentHashMap<>();
    private final Map<Integer, CompiledPlan> plans = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * Builds a model from an imported graph.
     *
     * @param original    the graph as imported (nodes in file order)
     * @param kernels     the kernels the plans will run on
     * @param maxElements largest element count any tensor may have
     * @throws ModelLoadException for any problem found while checking and compiling
     */
    public Model(Graph original, Kernels kernels, long maxElements) {
        this.kernels = kernels;
        this.maxElements = maxElements;
        Map<String, Integer> counts = new TreeMap<>();
        for (Node n : original.nodes()) {
            counts.merge(n.opType(), 1, Integer::sum);
        }
        this.operatorCounts = java.util.Collections.unmodifiableMap(counts);
        long params = 0;
        for (Value v : original.initializers().values()) {
            if (v instanceof Tensor t) {
                params += t.shape().size();
            }
        }
        this.parameterCount = params;
        Set<String> available = new HashSet<>(original.initializers().keySet());
        for (ValueInfo in : original.inputs()) {
            available.add(in.name());
        }
        List<Node> sorted = TopologicalOrder.sort(original.nodes(), available);
        this.graph = GraphRewriter.rewrite(original.withNodes(sorted, original.initializers()));
        this.inputs = original.inputs();
        CompiledPlan one = plan(1);
        this.macsPerImage = one.macs();
        boolean dynamic = inputs.stream().anyMatch(i -> i.shape().rank() > 0 && i.shape().dim(0) == Shape.UNKNOWN);
        CompiledPlan two = dynamic ? plan(2) : one;
        List<ValueInfo> outs = new ArrayList<>();
        for (int i = 0; i < one.outputIds().length; i++) {
            Shape s1 = one.shapes()[one.outputIds()[i]];
            Shape s2 = two.shapes()[two.outputIds()[i]];
            int[] dims = s1.dims();
            for (int d = 0; d < dims.length; d++) {
                if (s2.rank() != s1.rank() || s2.dim(d) != dims[d]) {
                    dims[d] = Shape.UNKNOWN;
                }
            }
            outs.add(new ValueInfo(graph.outputs().get(i), Shape.of(dims)));
        }
        this.outputs = List.copyOf(outs);
    }

    /** Runtime inputs; a dynamic batch dimension is -1. */
    public List<ValueInfo> inputs() {
        return inputs;
    }

    /** Outputs; dimensions that follow the dynamic batch are -1. */
    public List<ValueInfo> outputs() {
        return outputs;
    }

    /** ONNX op type to node count, as in the original file (before folding and fusion). */
    public Map<String, Integer> operatorCounts() {
        return operatorCounts;
    }

    /** Number of float parameters (elements of float initializers) in the original file. */
    public long parameterCount() {
        return parameterCount;
    }

    /** Multiply-accumulates of one image (batch 1) after load-time optimisation. */
    public long macsPerImage() {
        return macsPerImage;
    }

    /** The default-domain ONNX opset the model was imported with. */
    public int opsetVersion() {
        return graph.opset();
    }

    /** The kernels this model's plans run on. */
    public Kernels kernels() {
        return kernels;
    }

    /** The optimised graph (after sorting, folding and fusion). */
    public Graph graph() {
        return graph;
    }

    /**
     * The plan for {@code batch} images, compiled on first use. Engine-internal: used by sessions.
     *
     * @throws ModelLoadException if the model cannot run at this batch size (e.g. a size limit)
     */
    public CompiledPlan plan(int batch) {
        if (batch < 1) {
            throw new ModelLoadException(Reason.SHAPE_MISMATCH, "batch expected >= 1, found " + batch);
        }
        synchronized (plans) {
            CompiledPlan p = plans.get(batch);
            if (p != null) {
                return p;
            }
        }
        CompiledPlan compiled = new PlanCompiler(graph, kernels, preparedCache, maxElements).compile(batch);
        synchronized (plans) {
            CompiledPlan existing = plans.putIfAbsent(batch, compiled);
            while (plans.size() > MAX_CACHED_PLANS) {
                Integer eldest = plans.keySet().iterator().next();
                plans.remove(eldest);
            }
            return existing == null ? compiled : existing;
        }
    }
}
