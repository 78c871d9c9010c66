package dev.retina.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.InferenceException;
import dev.retina.engine.graph.CompiledPlan;
import dev.retina.engine.graph.Model;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.onnx.TestModelBuilder;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Input checking, lifecycle and the buffer plan. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionTest {

    private static final Model FIXED = OnnxImporter.load(new TestModelBuilder(13).input("x", 2, 3)
            .node("Relu", "x", "y").output("y").build());

    @Test
    void wrongInputsAreRejectedWithExpectedAndFound() {
        try (Engine engine = Engine.create(1); Session s = engine.newSession(FIXED)) {
            assertThatThrownBy(() -> s.run(Tensor.zeros(Shape.of(3, 3))))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.reason()).isEqualTo(InferenceException.Reason.SHAPE_MISMATCH))
                    .hasMessageContaining("expected shape [2, 3]").hasMessageContaining("found [3, 3]");
            assertThatThrownBy(() -> s.run(Map.of("z", Tensor.zeros(Shape.of(2, 3)))))
                    .hasMessageContaining("UNKNOWN_INPUT").hasMessageContaining("'z'");
            assertThatThrownBy(() -> s.run(Map.of())).hasMessageContaining("MISSING_INPUT");
            assertThat(s.run(Tensor.of(Shape.of(2, 3), new float[] {-1, 2, -3, 4, -5, 6})).data())
                    .containsExactly(0, 2, 0, 4, 0, 6);
        }
    }

    @Test
    void closedSessionsAndEnginesRefuseWork() {
        Engine engine = Engine.create(2);
        Session s = engine.newSession(FIXED);
        s.close();
        assertThatThrownBy(() -> s.run(Tensor.zeros(Shape.of(2, 3)))).hasMessageContaining("CLOSED");
        Session t = engine.newSession(FIXED);
        engine.close();
        assertThatThrownBy(() -> t.run(Tensor.zeros(Shape.of(2, 3)))).hasMessageContaining("engine is closed");
        assertThatThrownBy(() -> engine.newSession(FIXED)).hasMessageContaining("CLOSED");
        assertThatThrownBy(() -> Engine.create(0)).hasMessageContaining("found 0");
    }

    @Test
    void bufferPlanReusesMemoryAcrossAChain() {
        // Ten chained Relus on [1, 1000]: two buffers suffice.
        TestModelBuilder b = new TestModelBuilder(13).input("x", 1, 1000);
        String prev = "x";
        for (int i = 0; i < 10; i++) {
            b.node("Relu", prev, "r" + i);
            prev = "r" + i;
        }
        Model m = OnnxImporter.load(b.output(prev).build());
        CompiledPlan plan = m.plan(1);
        BufferPlan buffers = BufferPlan.of(plan);
        assertThat(buffers.sizes()).hasSize(2);
        assertThat(buffers.totalFloats()).isEqualTo(2000);
        for (var step : plan.steps()) {
            for (int in : step.inputIds()) {
                for (int out : step.outputIds()) {
                    assertThat(buffers.bufferOf()[in]).isNotEqualTo(buffers.bufferOf()[out]);
                }
            }
        }
    }

    @Test
    void viewsShareTheirSourceBufferAndKeepItAlive() {
        // r0 -> Flatten view f -> Relu r1 -> Relu r2 -> Add(f, r2): f's buffer (r0's) must outlive r1 and r2.
        TestModelBuilder b = new TestModelBuilder(13).input("x", 1, 2, 2);
        b.node("Relu", "x", "r0");
        b.node("Flatten", "r0", "f");
        b.node("Relu", "f", "r1");
        b.node("Relu", "r1", "r2");
        b.node("Add", new String[] {"f", "r2"}, new String[] {"y"});
        Model m = OnnxImporter.load(b.output("y").output("f").build());
        CompiledPlan plan = m.plan(1);
        assertThat(plan.steps()).extracting(st -> st.node().opType()).containsExactly("Relu", "Relu", "Relu", "Add");
        BufferPlan buffers = BufferPlan.of(plan);
        int r0 = plan.steps().get(0).outputIds()[0];
        int f = plan.steps().get(1).inputIds()[0];
        assertThat(plan.viewOf()[f]).isEqualTo(r0);
        assertThat(buffers.bufferOf()[f]).isEqualTo(buffers.bufferOf()[r0]);
        for (int s = 1; s < 4; s++) {
            for (int out : plan.steps().get(s).outputIds()) {
                assertThat(buffers.bufferOf()[out]).isNotEqualTo(buffers.bufferOf()[r0]);
            }
        }
        try (Engine engine = Engine.create(1); Session s = engine.newSession(m)) {
            Map<String, Tensor> out = s.run(Map.of("x", Tensor.of(Shape.of(1, 2, 2), new float[] {-1, 2, -3, 4})));
            assertThat(out.get("y").data()).containsExactly(0, 4, 0, 8);
            assertThat(out.get("f").shape()).isEqualTo(Shape.of(1, 4));
            assertThat(out.get("f").data()).containsExactly(0, 2, 0, 4);
        }
    }

    @Test
    void dynamicBatchAcceptsAnyBatchButFixedDimsMustMatch() {
        Model m = OnnxImporter.load(TestNets.lenet());
        try (Engine engine = Engine.create(2); Session s = engine.newSession(m)) {
            assertThat(s.run(Tensor.zeros(Shape.of(4, 1, 28, 28))).shape()).isEqualTo(Shape.of(4, 10));
            assertThatThrownBy(() -> s.run(Tensor.zeros(Shape.of(4, 1, 28, 27))))
                    .hasMessageContaining("expected shape [-1, 1, 28, 28]");
        }
    }

    @Test
    void aStepProfileTimesEveryStepOfItsModelAndBatchOnly() {
        Model m = OnnxImporter.load(TestNets.lenet());
        try (Engine engine = Engine.create(2); Session s = engine.newSession(m)) {
            StepProfile profile = new StepProfile();
            assertThat(profile.entries()).isEmpty();
            Tensor x = Tensor.zeros(Shape.of(2, 1, 28, 28));
            Map<String, Tensor> inputs = Map.of(m.inputs().get(0).name(), x);
            Map<String, Tensor> outputs = Map.of(m.outputs().get(0).name(), Tensor.zeros(s.outputShape(0, 2)));
            for (int i = 0; i < 3; i++) {
                s.run(inputs, outputs, profile);
            }
            CompiledPlan plan = m.plan(2);
            assertThat(profile.entries()).hasSize(plan.steps().size());
            long macs = 0;
            for (StepProfile.Entry e : profile.entries()) {
                assertThat(e.calls()).as("step %d %s", e.step(), e.opType()).isEqualTo(3);
                assertThat(e.nanos()).as("step %d %s", e.step(), e.opType()).isPositive();
                assertThat(e.opType()).isEqualTo(plan.steps().get(e.step()).node().opType());
                assertThat(e.output()).isEqualTo(plan.shapes()[plan.steps().get(e.step()).outputIds()[0]]);
                macs += e.macs();
            }
            assertThat(macs).isEqualTo(plan.steps().stream().mapToLong(st -> st.op().macs()).sum()).isPositive();
            assertThat(profile.entries().stream().filter(e -> e.opType().equals("Conv")))
                    .allSatisfy(e -> assertThat(e.gigaMacsPerSecond()).isPositive());
            assertThat(profile.totalNanos())
                    .isEqualTo(profile.entries().stream().mapToLong(StepProfile.Entry::nanos).sum());
            // Unprofiled runs leave it alone; another batch size is refused with what it holds.
            s.run(inputs, outputs);
            assertThat(profile.entries()).allSatisfy(e -> assertThat(e.calls()).isEqualTo(3));
            Map<String, Tensor> one = Map.of(m.inputs().get(0).name(), Tensor.zeros(Shape.of(1, 1, 28, 28)));
            Map<String, Tensor> oneOut = Map.of(m.outputs().get(0).name(), Tensor.zeros(s.outputShape(0, 1)));
            assertThatThrownBy(() -> s.run(one, oneOut, profile)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batch 2, not 1");
            profile.reset();
            assertThat(profile.totalNanos()).isZero();
            assertThat(profile.entries()).allSatisfy(e -> assertThat(e.calls()).isZero());
        }
    }
}
