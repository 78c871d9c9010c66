package dev.retina.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.retina.engine.data.SyntheticShapes;
import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.Model;
import dev.retina.engine.model.Labels;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A briefly trained network, exported as a model package, must give the same probabilities in the
 * trainer, in our engine and in ONNX Runtime, for a dynamic batch.
 */
@Timeout(120)
class OnnxExportTest {

    private static final int BATCH = 12;
    private static final double TOLERANCE = 1e-5;

    @TempDir
    static Path dir;

    static Network network;
    static TrainingSet data;
    static float[] batch;

    @BeforeAll
    static void trainAndExport() throws Exception {
        SyntheticShapes shapes = new SyntheticShapes(21, 96, 16);
        try (Trainer trainer = new Trainer(new TrainingConfig(1, 16, 0.005f, OptimizerKind.ADAM, 0.9f, true, 4, 2))) {
            data = trainer.load(shapes, TrainingSet.defaultSpec(shapes));
            // Every layer type and attribute combination the exporter writes: strided, padded and unpadded
            // conv, pooling with window 2 and 3, implicit flatten, hidden and final dense layers.
            network = Network.create(3, 16, 16,
                    Architecture.parse("conv:4:3:2,relu,pool:3:1,conv:6:3:1:0,relu,pool:2,dense:10,relu"), 8, 4);
            trainer.train(network, data, null, TrainingListener.none());
        }
        ModelPackageWriter.write(dir, network, shapes.labels(), data.spec(), 3, Map.of("retina.test", "yes"));
        batch = new float[BATCH * data.inputSize()];
        float[] one = new float[data.inputSize()];
        for (int i = 0; i < BATCH; i++) {
            data.input(i, one);
            System.arraycopy(one, 0, batch, i * one.length, one.length);
        }
    }

    private static float[][] trainerProbabilities() {
        float[][] out = new float[BATCH][];
        float[] one = new float[data.inputSize()];
        for (int i = 0; i < BATCH; i++) {
            System.arraycopy(batch, i * one.length, one, 0, one.length);
            out[i] = network.probabilities(one);
        }
        return out;
    }

    @Test
    void packageHoldsModelLabelsAndPreprocessing() throws Exception {
        assertThat(Labels.parse(Files.readAllBytes(dir.resolve("labels.txt"))))
                .isEqualTo(SyntheticShapes.classNames());
        PreprocessSpec spec = PreprocessSpec.parse(Files.readString(dir.resolve("preprocess.json"), StandardCharsets.UTF_8));
        assertThat(spec).isEqualTo(data.spec());
        assertThat(spec.output()).isEqualTo(PreprocessSpec.OutputKind.PROBABILITIES);
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
        assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(13);
        assertThat(proto.getModelVersion()).isEqualTo(3);
        assertThat(proto.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam())
                .isEqualTo("batch");
        assertThat(proto.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType).containsExactly(
                "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Softmax");
        assertThat(proto.getMetadataPropsList()).anySatisfy(p -> assertThat(p.getKey()).isEqualTo("retina.test"));
        assertThat(dir).isDirectoryNotContaining("glob:**/*.tmp");
        // The image/model-package loader accepts it: class count, input shape and preprocessing agree.
        ModelPackage pkg = ModelPackage.load(dir);
        assertThat(pkg.labels()).isEqualTo(SyntheticShapes.classNames());
        assertThat(pkg.spec()).isEqualTo(data.spec());
        assertThat(pkg.sha256()).hasSize(64);
    }

    @Test
    void onnxRuntimeMatchesTheTrainer() throws Exception {
        float[][] expected = trainerProbabilities();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(dir.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), new long[] {BATCH, 3, 16, 16});
             OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, input))) {
            float[][] ort = (float[][]) result.get(0).getValue();
            double maxDiff = maxDiff(expected, ort);
            System.out.printf("trainer vs ONNX Runtime: max abs diff %.3e over %d images%n", maxDiff, BATCH);
            assertThat(maxDiff).as("max |trainer - ORT|").isLessThan(TOLERANCE);
            for (int i = 0; i < BATCH; i++) {
                assertThat(argmax(ort[i])).as("image %d", i).isEqualTo(argmax(expected[i]));
            }
        }
    }

    @Test
    void ourEngineMatchesTheTrainerAndOnnxRuntime() throws Exception {
        float[][] expected = trainerProbabilities();
        Model model = OnnxImporter.load(dir.resolve("model.onnx"));
        assertThat(model.inputs().get(0).shape().dim(0)).isEqualTo(-1);
        assertThat(model.parameterCount()).isEqualTo(network.parameterCount());
        for (int threads : new int[] {1, 2}) {
            try (Engine engine = Engine.create(threads); Session session = engine.newSession(model)) {
                Tensor out = session.run(Tensor.of(Shape.of(BATCH, 3, 16, 16), batch.clone()));
                assertThat(out.shape()).isEqualTo(Shape.of(BATCH, 8));
                float[][] ours = new float[BATCH][8];
                for (int i = 0; i < BATCH; i++) {
                    System.arraycopy(out.data(), i * 8, ours[i], 0, 8);
                }
                double maxDiff = maxDiff(expected, ours);
                System.out.printf("trainer vs Retina engine (%d threads): max abs diff %.3e%n", threads, maxDiff);
                assertThat(maxDiff).isLessThan(TOLERANCE);
                for (int i = 0; i < BATCH; i++) {
                    assertThat(argmax(ours[i])).as("image %d", i).isEqualTo(argmax(expected[i]));
                }
            }
        }
    }

    private static double maxDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
