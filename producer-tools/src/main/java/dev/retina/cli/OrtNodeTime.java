package dev.retina.cli;

import dev.retina.engine.model.JsonReader;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel time of one ONNX Runtime graph node over a profiled run, summed from the trace that
 * ONNX Runtime's profiler writes (a JSON array of events; a node's kernel is the {@code "Node"} event
 * named {@code <node>_kernel_time}, its duration {@code dur} in microseconds). Node names are those of
 * ONNX Runtime's optimised graph: fused nodes are named after their last member, nodes in its
 * channel-blocked layout end in {@code _nchwc}.
 *
 * @param node   the node's name in the optimised graph
 * @param op     its operator ({@code args.op_name})
 * @param output its first output's shape, as {@code [1,64,55,55]}, or {@code -} if the trace has none
 * @param micros kernel time summed over all calls
 * @param calls  how many times it ran
 */
record OrtNodeTime(String node, String op, String output, long micros, int calls) {

    private static final String KERNEL_SUFFIX = "_kernel_time";

    double millisPerCall() {
        return calls == 0 ? 0 : micros / 1000.0 / calls;
    }

    /**
     * Every node of a trace with its summed kernel time, the most expensive first.
     *
     * @throws IllegalArgumentException if the text is not a JSON array of events
     */
    static List<OrtNodeTime> fromTrace(String json) {
        Object parsed = JsonReader.parse(json);
        if (!(parsed instanceof List<?> events)) {
            throw new IllegalArgumentException("ONNX Runtime profile expected a JSON array of events, found "
                    + (parsed == null ? "null" : parsed.getClass().getSimpleName()));
        }
        Map<String, OrtNodeTime> byNode = new LinkedHashMap<>();
        for (Object o : events) {
            if (!(o instanceof Map<?, ?> event) || !"Node".equals(event.get("cat"))
                    || !(event.get("name") instanceof String name) || !name.endsWith(KERNEL_SUFFIX)
                    || !(event.get("dur") instanceof Number dur)) {
                continue;
            }
            String node = name.substring(0, name.length() - KERNEL_SUFFIX.length());
            String op = "-";
            String output = "-";
            if (event.get("args") instanceof Map<?, ?> args) {
                if (args.get("op_name") instanceof String s) {
                    op = s;
                }
                output = firstOutputShape(args.get("output_type_shape"));
            }
            OrtNodeTime before = byNode.get(node);
            long micros = dur.longValue() + (before == null ? 0 : before.micros());
            int calls = 1 + (before == null ? 0 : before.calls());
            byNode.put(node, new OrtNodeTime(node, op, output, micros, calls));
        }
        List<OrtNodeTime> nodes = new ArrayList<>(byNode.values());
        nodes.sort(Comparator.comparingLong(OrtNodeTime::micros).reversed());
        return nodes;
    }

    /** {@code [{"float": [1, 64, 55, 55]}, ...]} gives {@code [1,64,55,55]}. */
    private static String firstOutputShape(Object outputs) {
        if (outputs instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> typed
                && !typed.isEmpty() && typed.values().iterator().next() instanceof List<?> dims) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < dims.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Object d = dims.get(i);
                sb.append(d instanceof Number n ? Long.toString(n.longValue()) : String.valueOf(d));
            }
            return sb.append(']').toString();
        }
        return "-";
    }
}
