package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrtNodeTimeTest {

    @Test
    void sumsEachNodesKernelTimeOverCallsMostExpensiveFirst() {
        String trace = """
                [
                 {"cat": "Session", "name": "session_initialization", "dur": 9000},
                 {"cat": "Node", "name": "Relu_1_nchwc_fence_before", "dur": 0},
                 {"cat": "Node", "name": "Relu_1_nchwc_kernel_time", "dur": 180,
                  "args": {"op_name": "Conv", "output_type_shape": [{"float": [1, 64, 111, 111]}]}},
                 {"cat": "Node", "name": "MaxPool_2_kernel_time", "dur": 80,
                  "args": {"op_name": "MaxPool", "output_type_shape": [{"float": [1, 64, 55, 55]}]}},
                 {"cat": "Node", "name": "Relu_1_nchwc_kernel_time", "dur": 200,
                  "args": {"op_name": "Conv", "output_type_shape": [{"float": [1, 64, 111, 111]}]}},
                 {"cat": "Node", "name": "Flatten_3_kernel_time", "dur": 5, "args": {}},
                 {"cat": "Session", "name": "model_run", "dur": 600}
                ]
                """;
        List<OrtNodeTime> nodes = OrtNodeTime.fromTrace(trace);
        assertThat(nodes).containsExactly(
                new OrtNodeTime("Relu_1_nchwc", "Conv", "[1,64,111,111]", 380, 2),
                new OrtNodeTime("MaxPool_2", "MaxPool", "[1,64,55,55]", 80, 1),
                new OrtNodeTime("Flatten_3", "-", "-", 5, 1));
        assertThat(nodes.get(0).millisPerCall()).isEqualTo(0.19);
    }

    @Test
    void aTraceThatIsNotAnArrayOfEventsIsRefused() {
        assertThatThrownBy(() -> OrtNodeTime.fromTrace("{\"cat\": \"Node\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a JSON array of events, found");
        assertThat(OrtNodeTime.fromTrace("[]")).isEmpty();
    }
}
