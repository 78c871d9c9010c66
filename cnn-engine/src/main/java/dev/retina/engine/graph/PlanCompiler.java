package dev.retina.engine.graph;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.ModelLoadException.Reason;
import dev.retina.engine.kernel.Activation;
import dev.retina.engine.kernel.ComputeContext;
import dev.retina.engine.kernel.Kernels;
import dev.retina.engine.op.Conv;
import dev.retina.engine.op.Folding;
import dev.retina.engine.op.Op;
import dev.retina.engine.op.OpContext;
import dev.retina.engine.op.Operators;
import dev.retina.engine.tensor.LongTensor;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.tensor.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Specialises a {@link Graph} for one batch size: shape inference over every node, creation of the
 * ops (weights prepared through a shared cache), and constant folding (shape arithmetic and any node
 * whose inputs are all constants). Reshape-like ops on runtime values become views that share their
 * input's data. A residual block's {@code Add} (and the {@code Relu} after it) is folded into the
 * preceding convolution's epilogue when the shapes allow it, and a channel {@code Concat} of
 * convolutions becomes one step writing each into its slice ({@link StepFusion}). What remains are the
 * runtime {@link Step}s.
 */
final class PlanCompiler {

    private final Graph graph;
    private final Kernels kernels;
    private final Map<Object, Object> preparedCache;
    private final long maxElements;

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<Shape> shapes = new ArrayList<>();
    private final List<Value> constants = new ArrayList<>();
    private final List<Integer> viewOf = new ArrayList<>();

    PlanCompiler(Graph graph, Kernels kernels, Map<Object, Object> preparedCache, long maxElements) {
        this.graph = graph;
        this.kernels = kernels;
        this.preparedCache = preparedCache;
        this.maxElements = maxElements;
    }

    CompiledPlan compile(int batch) {
        int[] inputIds = new int[graph.inputs().size()];
        for (int i = 0; i < inputIds.length; i++) {
            ValueInfo in = graph.inputs().get(i);
            Shape s = in.shape();
            if (s.rank() > 0 && s.dim(0) == Shape.UNKNOWN) {
                s = s.withDim(0, batch);
            }
            inputIds[i] = define(in.name(), s, null);
        }
        for (Map.Entry<String, Value> e : graph.initializers().entrySet()) {
            define(e.getKey(), e.getValue().shape(), e.getValue());
        }
        List<Step> steps = new ArrayList<>();
        StepFusion fusion = new StepFusion();
        long macs = 0;
        for (Node node : graph.nodes()) {
            List<Shape> inShapes = new ArrayList<>();
            List<Value> inValues = new ArrayList<>();
            for (String name : node.inputs()) {
                Integer id = name.isEmpty() ? null : ids.get(name);
                inShapes.add(id == null ? null : shapes.get(id));
                inValues.add(id == null ? null : constants.get(id));
            }
            OpContext ctx = new OpContext(node.name(), node.opType(), graph.opset(), node.attributes(), inShapes,
                    inValues, node.outputs().size(), node.fused(), kernels, preparedCache);
            Op op = Operators.create(ctx);
            List<Shape> outShapes = op.outputShapes(inShapes);
            for (Shape s : outShapes) {
                checkSize(node, s);
            }
            List<Value> folded = fold(op, inValues, outShapes);
            if (folded == null && op.runtimeInputs().length == 0) {
                throw new ModelLoadException(Reason.INVALID_MODEL, node.describe()
                        + ": expected its value to be computable at load time, found it depends on run-time data");
            }
            if (folded != null) {
                for (int i = 0; i < node.outputs().size(); i++) {
                    define(node.outputs().get(i), outShapes.get(i), folded.get(i));
                }
                continue;
            }
            if (op.isView()) {
                int source = ids.get(node.inputs().get(0));
                int root = viewOf.get(source) >= 0 ? viewOf.get(source) : source;
                int out = define(node.outputs().get(0), outShapes.get(0), null);
                viewOf.set(out, root);
                continue;
            }
            int[] runtime = op.runtimeInputs();
            int[] inIds = new int[runtime.length];
            for (int i = 0; i < runtime.length; i++) {
                inIds[i] = ids.get(node.inputs().get(runtime[i]));
            }
            int[] outIds = new int[node.outputs().size()];
            for (int i = 0; i < outIds.length; i++) {
                outIds[i] = define(node.outputs().get(i), outShapes.get(i), null);
            }
            if (fusion.fuse(node, inIds, outIds, steps)) {
                continue;
            }
            fusion.produced(outIds, steps.size());
            steps.add(new Step(op, inIds, outIds, node));
            macs += op.macs();
        }
        steps.removeIf(Objects::isNull);
        int[] outputIds = new int[graph.outputs().size()];
        for (int i = 0; i < outputIds.length; i++) {
            String name = graph.outputs().get(i);
            Integer id = ids.get(name);
            if (id == null) {
                throw new ModelLoadException(Reason.MISSING_INPUT, "graph output '" + name + "' is never produced");
            }
            if (constants.get(id) instanceof LongTensor) {
                throw new ModelLoadException(Reason.UNSUPPORTED_DATA_TYPE, "graph output '" + name
                        + "' expected float32, found int64");
            }
            outputIds[i] = id;
        }
        float[][] constantData = new float[constants.size()][];
        for (int i = 0; i < constantData.length; i++) {
            if (constants.get(i) instanceof Tensor t) {
                constantData[i] = t.data();
            }
        }
        return new CompiledPlan(batch, List.copyOf(steps), shapes.toArray(new Shape[0]), constantData, inputIds,
                outputIds, viewOf.stream().mapToInt(Integer::intValue).toArray(), macs);
    }

    /** Outputs computed now if they do not depend on run-time data, else null. */
    private static List<Value> fold(Op op, List<Value> inValues, List<Shape> outShapes) {
        if (op instanceof Folding f) {
            List<Value> v = f.fold(inValues);
            if (v != null || op.runtimeInputs().length == 0) {
                return v;
            }
        }
        int[] runtime = op.runtimeInputs();
        float[][] in = new float[runtime.length][];
        for (int i = 0; i < runtime.length; i++) {
            if (!(inValues.get(runtime[i]) instanceof Tensor t)) {
                return null;
            }
            in[i] = t.data();
        }
        float[][] out = new float[outShapes.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[(int) outShapes.get(i).size()];
        }
        op.run(in, out, ComputeContext.sequential());
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            values.add(Tensor.of(outShapes.get(i), out[i]));
        }
        return values;
    }

    /**
     * Joins steps. A channel {@code Concat} (axis 1 of 4-D values) whose inputs are all outputs of plain
     * Conv steps (no residual), each read by the Concat alone, no graph output and not repeated, becomes
     * one step that runs those convolutions in order, each writing its slice of the Concat's output
     * ({@link Conv#concatenated}): no copy, and no buffer per convolution. The step takes the Concat's
     * place in the order; the Conv steps are removed.
     *
     * <p>And it folds a residual block's tail into its last convolution: {@code Add(Conv(x), r)} becomes one step
     * {@code Y = conv(x) + r} (see {@link Conv#withResidual}), and a {@code Relu} reading only that sum
     * joins it as the activation. It applies only when the Conv has no fused activation, its output is
     * read by the Add alone and is no graph output, both Add operands are runtime values of exactly the
     * output's shape (no broadcasting), and the sum itself is read only by the Relu. The fused step takes
     * the Add's (or Relu's) place in the order, after {@code r} is computed; the Conv's own step is
     * removed (left null until the end of the compile).
     */
    private final class StepFusion {
        private final Map<String, Integer> readers = new HashMap<>();
        private final Set<String> outputs = new HashSet<>(graph.outputs());
        /** Step index of the step writing a value id. */
        private final Map<Integer, Integer> stepOf = new HashMap<>();
        /** The plain Conv step behind each fused residual step, by step index. */
        private final Map<Integer, Step> convSteps = new HashMap<>();

        StepFusion() {
            for (Node n : graph.nodes()) {
                for (String in : n.inputs()) {
                    readers.merge(in, 1, Integer::sum);
                }
            }
        }

        void produced(int[] outIds, int step) {
            for (int id : outIds) {
                stepOf.put(id, step);
            }
        }

        /** Fuses {@code node} into an earlier step if it can, and says whether it did. */
        boolean fuse(Node node, int[] inIds, int[] outIds, List<Step> steps) {
            if (node.opType().equals("Concat")) {
                return fuseConcat(node, inIds, outIds, steps);
            }
            if (node.opType().equals("Add") && inIds.length == 2 && outIds.length == 1 && node.fused().isNone()) {
                for (int side = 0; side < 2; side++) {
                    if (fuseAdd(node, inIds[side], inIds[1 - side], outIds[0], steps)) {
                        return true;
                    }
                }
                return false;
            }
            if (node.opType().equals("Relu") && inIds.length == 1 && outIds.length == 1
                    && node.attributes().names().isEmpty() && node.inputs().size() == 1) {
                Integer s = stepOf.get(inIds[0]);
                if (s == null || !soleRuntimeReader(node.inputs().get(0), inIds[0])) {
                    return false;
                }
                Step sum = steps.get(s);
                Step plain = convSteps.get(s);
                if (plain == null || !sum.node().fused().isNone()) {
                    return false;
                }
                Conv conv = (Conv) plain.op();
                Node fused = sum.node().withFused(Activation.RELU).withOutputs(node.outputs());
                steps.set(s, null);
                stepOf.put(outIds[0], steps.size());
                convSteps.put(steps.size(), plain);
                steps.add(new Step(conv.withResidual(Activation.RELU), sum.inputIds(), outIds, fused));
                return true;
            }
            return false;
        }

        private boolean fuseConcat(Node concat, int[] inIds, int[] outIds, List<Step> steps) {
            Object axis = concat.attributes().raw("axis");
            if (outIds.length != 1 || shapes.get(outIds[0]).rank() != 4 || inIds.length < 2
                    || !(Long.valueOf(1).equals(axis) || Long.valueOf(-3).equals(axis))) {
                return false;
            }
            List<Conv> convs = new ArrayList<>();
            int[] convInputs = new int[inIds.length];
            Set<Integer> fusedSteps = new HashSet<>();
            List<String> names = new ArrayList<>();
            List<String> inputs = new ArrayList<>();
            for (int i = 0; i < inIds.length; i++) {
                Integer s = stepOf.get(inIds[i]);
                Step step = s == null ? null : steps.get(s);
                if (step == null || !(step.op() instanceof Conv conv) || step.outputIds().length != 1
                        || !fusedSteps.add(s) || !soleRuntimeReader(concat.inputs().get(i), inIds[i])) {
                    return false;
                }
                convs.add(conv);
                convInputs[i] = step.inputIds()[0];
                names.add(step.node().name());
                inputs.add(step.node().inputs().get(0));
            }
            for (int s : fusedSteps) {
                steps.set(s, null);
            }
            Node fused = new Node(String.join("+", names) + "+" + concat.name(), "Concat", inputs, concat.outputs(),
                    concat.attributes(), Activation.NONE);
            stepOf.put(outIds[0], steps.size());
            steps.add(new Step(Conv.concatenated(convs), convInputs, outIds, fused));
            return true;
        }

        private boolean fuseAdd(Node add, int convOut, int residual, int outId, List<Step> steps) {
            Integer s = stepOf.get(convOut);
            if (s == null || convOut == residual || !(steps.get(s).op() instanceof Conv conv)
                    || !conv.activation().isNone() || steps.get(s).outputIds().length != 1) {
                return false;
            }
            Step convStep = steps.get(s);
            String convName = convStep.node().outputs().get(0);
            if (!soleRuntimeReader(convName, convOut) || constants.get(residual) != null
                    || !shapes.get(convOut).equals(shapes.get(outId))
                    || !shapes.get(residual).equals(shapes.get(outId))) {
                return false;
            }
            Node c = convStep.node();
            List<String> inputs = new ArrayList<>(c.inputs());
            while (inputs.size() < 3) {
                inputs.add("");
            }
            String residualName = add.inputs().get(add.inputs().get(0).equals(convName) ? 1 : 0);
            inputs.add(residualName);
            Node fused = new Node(c.name() + "+" + add.name(), "Conv", inputs, add.outputs(), c.attributes(),
                    Activation.NONE);
            steps.set(s, null);
            stepOf.put(outId, steps.size());
            convSteps.put(steps.size(), convStep);
            steps.add(new Step(conv.withResidual(Activation.NONE), new int[] {convStep.inputIds()[0], residual},
                    new int[] {outId}, fused));
            return true;
        }

        /** True if exactly one node reads the value, the value is no graph output and holds runtime data. */
        private boolean soleRuntimeReader(String name, int id) {
            return readers.getOrDefault(name, 0) == 1 && !outputs.contains(name) && constants.get(id) == null;
        }
    }

    private void checkSize(Node node, Shape s) {
        if (s.size() < 0 || s.size() > maxElements) {
            throw new ModelLoadException(Reason.LIMIT_EXCEEDED, node.describe() + ": output shape " + s + " has "
                    + s.size() + " elements, the limit is " + maxElements);
        }
    }

    private int define(String name, Shape shape, Value constant) {
        if (ids.containsKey(name)) {
            throw new ModelLoadException(Reason.INVALID_MODEL, "value '" + name + "' is defined twice");
        }
        int id = shapes.size();
        ids.put(name, id);
        shapes.add(shape);
        constants.add(constant);
        viewOf.add(-1);
        return id;
    }
}
