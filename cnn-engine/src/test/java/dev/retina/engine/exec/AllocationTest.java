package dev.retina.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.retina.engine.graph.Model;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.onnx.TestModelBuilder;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Steady-state inference reuses its arena: the bytes allocated per call are the result tensors plus a
 * little per-step bookkeeping, far below the size of the intermediate activations.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllocationTest {

    @Test
    void steadyStateInferenceAllocatesAlmostNothing() {
        Model model = OnnxImporter.load(TestNets.residual());
        Shape shape = Shape.of(1, 3, 20, 20);
        Tensor x = Tensor.of(shape, TestModelBuilder.random(3, (int) shape.size(), 1f));
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        try (Engine engine = Engine.create(1); Session s = engine.newSession(model)) {
            // Long warm-up: until C2 compiles them, Vector API kernels box every vector they touch.
            for (int i = 0; i < 3000; i++) {
                s.run(x);
            }
            int runs = 200;
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < runs; i++) {
                s.run(x);
            }
            long perRun = (mx.getThreadAllocatedBytes(tid) - before) / runs;
            long activations = 8L * 20 * 20 * 4 * 6;
            System.out.println("bytes allocated per steady-state inference (residual block, batch 1, 1 thread): "
                    + perRun + "; one copy of the activations is about " + activations);
            assertThat(perRun).isLessThan(16_384L);
        }
    }
}
