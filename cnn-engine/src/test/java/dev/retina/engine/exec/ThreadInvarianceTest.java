package dev.retina.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.engine.graph.Model;
import dev.retina.engine.kernel.KernelProvider;
import dev.retina.engine.onnx.ImportLimits;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.onnx.TestModelBuilder;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Results do not depend on the thread count, and concurrent callers get their own correct results. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadInvarianceTest {

    @Test
    void resultsAreBitIdenticalForOneTwoAndFourThreads() {
        for (String kernels : List.of("fast", "scalar")) {
            for (byte[] net : List.of(TestNets.lenet(), TestNets.residual())) {
                assertThreadCountInvariant(OnnxImporter.load(net, ImportLimits.defaults(), KernelProvider.byName(kernels)),
                        kernels);
            }
        }
    }

    private static void assertThreadCountInvariant(Model model, String kernels) {
        Shape shape = model.inputs().get(0).shape().withDim(0, 5);
        Tensor x = Tensor.of(shape, TestModelBuilder.random(7, (int) shape.size(), 1f));
        float[] reference = null;
        for (int threads : new int[] {1, 2, 4}) {
            try (Engine engine = Engine.create(threads); Session s = engine.newSession(model)) {
                float[] y = s.run(x).data();
                if (reference == null) {
                    reference = y;
                } else {
                    assertThat(y).as("%s kernels, %d threads vs 1 thread", kernels, threads).containsExactly(reference);
                }
            }
        }
    }

    @Test
    void batchResultsEqualPerImageResults() {
        Model model = OnnxImporter.load(TestNets.residual());
        Shape shape = Shape.of(3, 3, 20, 20);
        float[] x = TestModelBuilder.random(8, (int) shape.size(), 1f);
        try (Engine engine = Engine.create(2); Session s = engine.newSession(model)) {
            float[] batch = s.run(Tensor.of(shape, x)).data();
            int per = batch.length / 3;
            int in = x.length / 3;
            for (int n = 0; n < 3; n++) {
                float[] one = new float[in];
                System.arraycopy(x, n * in, one, 0, in);
                float[] y = s.run(Tensor.of(Shape.of(1, 3, 20, 20), one)).data();
                float[] slice = new float[per];
                System.arraycopy(batch, n * per, slice, 0, per);
                assertThat(y).as("image %d alone vs in a batch of 3", n).containsExactly(slice);
            }
        }
    }

    @Test
    void concurrentCallersGetTheirOwnResults() throws Exception {
        Model model = OnnxImporter.load(TestNets.lenet());
        int callers = 6;
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        try (Engine engine = Engine.create(2); Session session = engine.newSession(model)) {
            for (int c = 0; c < callers; c++) {
                Tensor x = Tensor.of(Shape.of(1 + c % 3, 1, 28, 28),
                        TestModelBuilder.random(100 + c, (1 + c % 3) * 784, 1f));
                inputs.add(x);
                expected.add(session.run(x).data());
            }
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    int caller = c;
                    Callable<Boolean> task = () -> {
                        start.await();
                        for (int rep = 0; rep < 20; rep++) {
                            float[] y = session.run(inputs.get(caller)).data();
                            if (!java.util.Arrays.equals(y, expected.get(caller))) {
                                return false;
                            }
                        }
                        return true;
                    };
                    results.add(pool.submit(task));
                }
                start.countDown();
                for (Future<Boolean> f : results) {
                    assertThat(f.get(50, TimeUnit.SECONDS)).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
