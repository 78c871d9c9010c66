package dev.retina.engine.oracle;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.Model;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Tensor;
import dev.retina.engine.testing.OnnxNetworks;
import dev.retina.engine.testing.TensorEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One loaded session used the way the streams app uses it (many callers, changing batch sizes), every result compared
 * with ONNX Runtime: reused buffers must never leak one call's values into another's.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SessionOracleTest {

    private static void assertMatches(String label, Map<String, HostTensor> expected, Tensor actual) {
        HostTensor e = expected.get(OnnxNetworks.OUTPUT);
        assertThat(actual.shape().dims()).as("%s: shape", label).containsExactly(e.shape());
        TensorComparison c = TensorComparison.of(OnnxNetworks.OUTPUT, e.data(), actual.data());
        assertThat(c.within(OracleHarness.TOLERANCE)).as("%s: %s", label, c.summary()).isTrue();
    }

    @Test
    void changingBatchSizesOnOneSession() {
        byte[] model = OnnxNetworks.leNet(13, TensorEncoding.RAW_DATA, 141);
        try (Engine engine = Engine.create(); Session session = engine.newSession(OnnxImporter.load(model))) {
            for (int batch : new int[] {1, 8, 3, 8, 1, 5}) {
                Tensor input = OracleHarness.normal(142 + batch, batch, 1, 28, 28);
                Map<String, HostTensor> expected = OracleHarness.runOrt(model, Map.of(OnnxNetworks.INPUT, input));
                assertMatches("LeNet batch " + batch, expected, session.run(input));
            }
        }
    }

    /** A caller may keep a result while it makes more calls: outputs must not be views of reused engine buffers. */
    @Test
    void resultsStayValidAfterLaterRunsAndInputsAreNotModified() {
        byte[] model = OnnxNetworks.leNet(13, TensorEncoding.RAW_DATA, 145);
        try (Engine engine = Engine.create(); Session session = engine.newSession(OnnxImporter.load(model))) {
            List<Tensor> inputs = new ArrayList<>();
            List<float[]> inputCopies = new ArrayList<>();
            List<Tensor> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Tensor input = OracleHarness.normal(146 + i, 2, 1, 28, 28);
                inputs.add(input);
                inputCopies.add(input.data().clone());
                results.add(session.run(input));
            }
            for (int i = 0; i < inputs.size(); i++) {
                assertThat(inputs.get(i).data()).as("input %d after the runs", i).containsExactly(inputCopies.get(i));
                Map<String, HostTensor> expected = OracleHarness.runOrt(model, Map.of(OnnxNetworks.INPUT, inputs.get(i)));
                assertMatches("LeNet result " + i + " kept across later runs", expected, results.get(i));
            }
        }
    }

    /**
     * Two models in one engine, each called from three threads at once, on a two-worker pool: more callers than
     * workers must neither deadlock (bounded by the class timeout) nor mix results between sessions.
     */
    @Test
    void twoSessionsShareOneSmallPool() throws Exception {
        byte[] leNet = OnnxNetworks.leNet(13, TensorEncoding.RAW_DATA, 147);
        byte[] squeezeNet = OnnxNetworks.squeezeNet11(13, TensorEncoding.RAW_DATA, 148);
        List<byte[]> models = List.of(leNet, squeezeNet, leNet, squeezeNet, leNet, squeezeNet);
        List<Tensor> inputs = new ArrayList<>();
        List<Map<String, HostTensor>> expected = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            Tensor input = models.get(i) == leNet
                    ? OracleHarness.normal(149 + i, 3, 1, 28, 28)
                    : OracleHarness.normal(149 + i, 1, 3, 224, 224);
            inputs.add(input);
            expected.add(OracleHarness.runOrt(models.get(i), Map.of(OnnxNetworks.INPUT, input)));
        }
        ExecutorService callersPool = Executors.newFixedThreadPool(models.size());
        try (Engine engine = Engine.create(2);
             Session leNetSession = engine.newSession(OnnxImporter.load(leNet));
             Session squeezeNetSession = engine.newSession(OnnxImporter.load(squeezeNet))) {
            List<Future<Tensor>> results = new ArrayList<>();
            for (int i = 0; i < models.size(); i++) {
                Session session = models.get(i) == leNet ? leNetSession : squeezeNetSession;
                Tensor input = inputs.get(i);
                Callable<Tensor> call = () -> session.run(input);
                results.add(callersPool.submit(call));
            }
            for (int i = 0; i < results.size(); i++) {
                assertMatches((models.get(i) == leNet ? "LeNet" : "SqueezeNet") + " shared-pool call " + i,
                        expected.get(i), results.get(i).get(2, TimeUnit.MINUTES));
            }
        } finally {
            callersPool.shutdownNow();
        }
    }

    @Test
    void concurrentCallersEachGetTheirOwnResult() throws Exception {
        byte[] model = OnnxNetworks.mobileNetV2(13, TensorEncoding.RAW_DATA, 143);
        int callers = 4;
        int callsEach = 2;
        List<Tensor> inputs = new ArrayList<>();
        List<Map<String, HostTensor>> expected = new ArrayList<>();
        for (int i = 0; i < callers * callsEach; i++) {
            Tensor input = OracleHarness.normal(144 + i, 1 + i % 2, 3, 224, 224);
            inputs.add(input);
            expected.add(OracleHarness.runOrt(model, Map.of(OnnxNetworks.INPUT, input)));
        }
        Model loaded = OnnxImporter.load(model);
        ExecutorService callersPool = Executors.newFixedThreadPool(callers);
        try (Engine engine = Engine.create(); Session session = engine.newSession(loaded)) {
            List<Future<Tensor>> results = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                Tensor input = inputs.get(i);
                Callable<Tensor> call = () -> session.run(input);
                results.add(callersPool.submit(call));
            }
            for (int i = 0; i < results.size(); i++) {
                assertMatches("MobileNetV2 concurrent call " + i, expected.get(i), results.get(i).get(2, TimeUnit.MINUTES));
            }
        } finally {
            callersPool.shutdownNow();
        }
        System.out.println("[oracle] MobileNetV2 " + inputs.size() + " concurrent calls on one session | all within "
                + OracleHarness.TOLERANCE);
    }
}
