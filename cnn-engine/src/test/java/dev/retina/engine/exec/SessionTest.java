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

/** Input checking, lifecycle, the buffer plan and running big batches image by image. */
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

    /**
     * A conv net whose batch of 3 needs more than {@link Session#SPLIT_BATCH_BYTES} of buffers: 8
     * channels of 160 x 160, conv, ReLU, max pool, global pool, Gemm, Softmax over classes.
     */
    private static byte[] wideNet(String tail) {
        TestModelBuilder b = new TestModelBuilder(13).input("x", -1, 8, 160, 160)
                .randomInitializer("w", 31, 0.3f, 16, 8, 3, 3).randomInitializer("bw", 32, 0.1f, 16)
                .randomInitializer("fc", 33, 0.3f, 5, 16).randomInitializer("fb", 34, 0.1f, 5);
        b.node("Conv", new String[] {"x", "w", "bw"}, new String[] {"c"}, TestModelBuilder.ints("pads", 1, 1, 1, 1));
        b.node("Relu", "c", "r");
        b.node("MaxPool", "r", "p", TestModelBuilder.ints("kernel_shape", 2, 2),
                TestModelBuilder.ints("strides", 2, 2));
        b.node("GlobalAveragePool", "p", "g");
        if (tail.equals("reshape by a shape chain")) {
            // PyTorch's export of x.view(x.size(0), -1): folded at load, so never data at run time.
            b.int64Initializer("first", new long[] {0}).int64Initializer("axis0", new long[] {0}, 1)
                    .int64Initializer("rest", new long[] {-1}, 1);
            b.node("Shape", "g", "shape");
            b.node("Gather", new String[] {"shape", "first"}, new String[] {"n"}, TestModelBuilder.i("axis", 0));
            b.node("Unsqueeze", new String[] {"n", "axis0"}, new String[] {"n1"});
            b.node("Concat", new String[] {"n1", "rest"}, new String[] {"target"}, TestModelBuilder.i("axis", 0));
            b.node("Reshape", new String[] {"g", "target"}, new String[] {"f"});
        } else {
            b.node("Flatten", "g", "f");
        }
        b.node("Gemm", new String[] {"f", "fc", "fb"}, new String[] {"logits"}, TestModelBuilder.i("transB", 1));
        if (tail.equals("softmax over classes") || tail.equals("reshape by a shape chain")) {
            b.node("Softmax", "logits", "y", TestModelBuilder.i("axis", 1));
        } else if (tail.equals("softmax over the batch")) {
            b.node("Softmax", "logits", "y", TestModelBuilder.i("axis", 0));
        } else {
            b.node("Concat", new String[] {"logits", "logits"}, new String[] {"y"}, TestModelBuilder.i("axis", 0));
        }
        return b.output("y").build();
    }

    private static Tensor images(int batch, long seed) {
        float[] data = TestModelBuilder.random(seed, batch * 8 * 160 * 160, 1f);
        return Tensor.of(Shape.of(batch, 8, 160, 160), data);
    }

    private static Tensor image(Tensor batch, int index) {
        int size = 8 * 160 * 160;
        return Tensor.of(Shape.of(1, 8, 160, 160),
                java.util.Arrays.copyOfRange(batch.data(), index * size, (index + 1) * size));
    }

    @Test
    void aBigBatchOfIndependentImagesRunsImageByImageAndGivesEachImagesOwnResult() {
        Model m = OnnxImporter.load(wideNet("softmax over classes"));
        try (Engine engine = Engine.create(2); Session s = engine.newSession(m);
             Session chained = engine.newSession(OnnxImporter.load(wideNet("reshape by a shape chain")))) {
            assertThat(chained.runsImageByImage(3)).as("with a folded shape chain").isTrue();
            assertThat(s.runsImageByImage(3)).isTrue();
            assertThat(s.runsImagesAtOnce(3)).as("two images at once on two threads, then the third").isTrue();
            assertThat(s.runsImageByImage(1)).isFalse();
            Tensor x = images(3, 41);
            Tensor y = s.run(x);
            assertThat(y.shape()).isEqualTo(Shape.of(3, 5));
            for (int i = 0; i < 3; i++) {
                float[] alone = s.run(image(x, i)).data();
                assertThat(java.util.Arrays.copyOfRange(y.data(), i * 5, i * 5 + 5)).as("image %d", i)
                        .containsExactly(alone);
            }
            // Into caller-owned tensors, and profiled: every step once per image.
            Map<String, Tensor> inputs = Map.of(m.inputs().get(0).name(), x);
            Tensor out = Tensor.zeros(s.outputShape(0, 3));
            StepProfile profile = new StepProfile();
            s.run(inputs, Map.of(m.outputs().get(0).name(), out), profile);
            assertThat(out.data()).containsExactly(y.data());
            assertThat(profile.entries()).allSatisfy(e -> assertThat(e.calls()).isEqualTo(3));
        }
    }

    /**
     * A net whose batch of 3 runs its first steps image by image and the rest on the whole batch: a
     * 16-channel 160 x 160 convolution (too large to batch), a max pool to 80 x 80, then a convolution
     * whose sum with the pooled value (which two batched steps read) is pooled and classified. A global
     * pool of the input, before the large steps, is a second graph output carried from the per-image
     * part.
     */
    private static byte[] hybridNet() {
        TestModelBuilder b = new TestModelBuilder(13).input("x", -1, 8, 160, 160)
                .randomInitializer("w1", 51, 0.3f, 16, 8, 3, 3).randomInitializer("w2", 52, 0.2f, 16, 16, 3, 3)
                .randomInitializer("b2", 53, 0.1f, 16).randomInitializer("fc", 54, 0.3f, 5, 16)
                .randomInitializer("fb", 55, 0.1f, 5);
        b.node("GlobalAveragePool", "x", "early");
        b.node("Conv", new String[] {"x", "w1"}, new String[] {"c1"}, TestModelBuilder.ints("pads", 1, 1, 1, 1));
        b.node("Relu", "c1", "r1");
        b.node("MaxPool", "r1", "p", TestModelBuilder.ints("kernel_shape", 2, 2),
                TestModelBuilder.ints("strides", 2, 2));
        b.node("Conv", new String[] {"p", "w2", "b2"}, new String[] {"c2"},
                TestModelBuilder.ints("pads", 1, 1, 1, 1));
        b.node("Add", new String[] {"c2", "p"}, new String[] {"s"});
        b.node("Relu", "s", "r2");
        b.node("GlobalAveragePool", "r2", "g");
        b.node("Flatten", "g", "f");
        b.node("Gemm", new String[] {"f", "fc", "fb"}, new String[] {"y"}, TestModelBuilder.i("transB", 1));
        return b.output("y").output("early").build();
    }

    @Test
    void aBigBatchRunsItsLastStepsOnTheWholeBatchWithEachImagesOwnResult() {
        Model m = OnnxImporter.load(hybridNet());
        try (Engine engine = Engine.create(2); Session s = engine.newSession(m)) {
            CompiledPlan plan = m.plan(3);
            int first = s.firstBatchedStep(3);
            // The max pool writes a small value but reads a large one: the convolution after it.
            assertThat(plan.steps().get(first - 1).node().opType()).isEqualTo("MaxPool");
            assertThat(plan.steps().get(first).node().opType()).as("the first step after the large values")
                    .isEqualTo("Conv");
            assertThat(s.firstBatchedStep(1)).isZero();
            assertThat(s.runsImagesAtOnce(3)).isTrue();
            Tensor x = images(3, 43);
            Map<String, Tensor> inputs = Map.of(m.inputs().get(0).name(), x);
            Map<String, Tensor> batched = s.run(inputs);
            assertThat(s.run(inputs).get("y").data()).as("a second call on the same buffers")
                    .containsExactly(batched.get("y").data());
            for (int i = 0; i < 3; i++) {
                Map<String, Tensor> alone = s.run(Map.of(m.inputs().get(0).name(), image(x, i)));
                assertThat(java.util.Arrays.copyOfRange(batched.get("y").data(), i * 5, i * 5 + 5))
                        .as("image %d", i).containsExactly(alone.get("y").data());
                assertThat(java.util.Arrays.copyOfRange(batched.get("early").data(), i * 8, i * 8 + 8))
                        .as("image %d, output of the per-image part", i).containsExactly(alone.get("early").data());
            }
            // Profiled: the batched steps count each run as one call per image, like the others.
            Tensor y = Tensor.zeros(s.outputShape(0, 3));
            Tensor early = Tensor.zeros(s.outputShape(1, 3));
            StepProfile profile = new StepProfile();
            s.run(inputs, Map.of("y", y, "early", early), profile);
            assertThat(y.data()).containsExactly(batched.get("y").data());
            assertThat(early.data()).containsExactly(batched.get("early").data());
            assertThat(profile.entries()).allSatisfy(e -> assertThat(e.calls()).isEqualTo(3));
        }
    }

    @Test
    void theBuffersOfTheBatchedStepsHoldOnlyWhatTheyReadAndWrite() {
        Model m = OnnxImporter.load(hybridNet());
        CompiledPlan plan = m.plan(3);
        int first = Session.batchedTail(plan);
        int[] carried = BufferPlan.carriedInto(plan, first);
        BufferPlan tail = BufferPlan.of(plan, first);
        BufferPlan whole = BufferPlan.of(plan);
        // The pooled value (read by the convolution and its residual sum) and the first graph output.
        assertThat(carried).hasSize(2);
        assertThat(tail.bufferOf()[carried[0]]).isNotNegative().isNotEqualTo(tail.bufferOf()[carried[1]]);
        assertThat(tail.bufferOf()[carried[1]]).isNotNegative();
        for (int s = 0; s < first; s++) {
            for (int id : plan.steps().get(s).outputIds()) {
                boolean isCarried = java.util.Arrays.stream(carried).anyMatch(c -> c == id);
                assertThat(tail.bufferOf()[id] >= 0).as("value %d of step %d", id, s).isEqualTo(isCarried);
            }
        }
        for (int s = first; s < plan.steps().size(); s++) {
            for (int id : plan.steps().get(s).outputIds()) {
                assertThat(tail.bufferOf()[id]).as("value %d of step %d", id, s).isNotNegative();
            }
        }
        assertThat(java.util.Arrays.stream(tail.sizes()).max().orElseThrow()).as("no buffer for a 160 x 160 value")
                .isLessThan(3L * 16 * 160 * 160);
        assertThat(tail.totalFloats()).isLessThan(whole.totalFloats());
        assertThat(BufferPlan.carriedInto(plan, 0)).isEmpty();
        assertThat(BufferPlan.of(plan, 0)).usingRecursiveComparison().isEqualTo(whole);
    }

    @Test
    void opsThatCombineImagesKeepTheBatchTogether() {
        for (String tail : new String[] {"softmax over the batch", "concat along the batch"}) {
            Model m = OnnxImporter.load(wideNet(tail));
            Model classes = OnnxImporter.load(wideNet("softmax over classes"));
            try (Engine engine = Engine.create(2); Session s = engine.newSession(m);
                 Session logits = engine.newSession(classes)) {
                assertThat(s.runsImageByImage(3)).as(tail).isFalse();
                Tensor x = images(3, 42);
                float[] y = s.run(x).data();
                if (tail.equals("softmax over the batch")) {
                    for (int c = 0; c < 5; c++) {
                        assertThat(y[c] + y[5 + c] + y[10 + c]).as("class %d", c).isCloseTo(1f,
                                org.assertj.core.data.Offset.offset(1e-5f));
                    }
                } else {
                    assertThat(y).hasSize(30);
                    assertThat(java.util.Arrays.copyOfRange(y, 15, 30)).containsExactly(
                            java.util.Arrays.copyOfRange(y, 0, 15));
                    assertThat(logits.runsImageByImage(3)).isTrue();
                }
            }
        }
    }
}
