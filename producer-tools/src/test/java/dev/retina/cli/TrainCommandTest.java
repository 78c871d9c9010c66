package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.PreprocessSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code retina train} on tiny data sets: progress output, the package it writes, reproducibility, bad input. */
@Timeout(120)
class TrainCommandTest {

    /** A cheap net for 64x64 inputs: one 4x4 stride-4 conv, a pool and the classifier. */
    static final String TINY = "conv:4:4:4:0,relu,pool:2";

    @TempDir Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void trainsSyntheticShapesAndWritesAPackage() throws Exception {
        Path model = dir.resolve("m");
        int code = run("train", "--dataset", "synthetic", "--epochs", "2", "--seed", "3", "--out", model.toString(),
                "--architecture", TINY, "--train-size", "48", "--validation-size", "16", "--batch-size", "8",
                "--threads", "2");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("dataset: synthetic shapes (seed 3, 48 images, 64x64 RGB)")
                .contains("network: conv:4:4:4:0,relu,pool:2:2,flatten,dense:8")
                .containsPattern("epoch 1/2 loss=\\d+\\.\\d{4} accuracy=0\\.\\d{4} images/s=\\d+ time=[\\d.]+s val_accuracy=")
                .contains("epoch 2/2")
                .containsPattern("trained images=96 time=[\\d.]+s images/s=\\d+")
                .contains("wrote " + model);
        ModelPackage pkg = ModelPackage.load(model);
        assertThat(pkg.labels()).hasSize(8).startsWith("circle", "square");
        assertThat(pkg.spec().height()).isEqualTo(64);
        assertThat(pkg.spec().colorMode()).isEqualTo(PreprocessSpec.ColorMode.RGB);
    }

    @Test
    void sameArgumentsGiveTheSameModelBytesWhateverTheThreads() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        String[] common = {"train", "--dataset", "synthetic", "--epochs", "1", "--seed", "9", "--architecture", TINY,
            "--train-size", "40", "--batch-size", "8", "--optimizer", "sgd", "--learning-rate", "0.05"};
        assertThat(run(concat(common, "--out", a.toString(), "--threads", "1"))).as(err.toString()).isZero();
        assertThat(run(concat(common, "--out", b.toString(), "--threads", "2"))).as(err.toString()).isZero();
        assertThat(Files.readAllBytes(b.resolve("model.onnx"))).isEqualTo(Files.readAllBytes(a.resolve("model.onnx")));
        assertThat(Files.readString(b.resolve("preprocess.json"))).isEqualTo(Files.readString(a.resolve("preprocess.json")));
    }

    @Test
    void trainsOnIdxFiles() throws Exception {
        Path data = writeIdxBars(dir.resolve("bars"), 64);
        Path model = dir.resolve("idx-model");
        int code = run("train", "--dataset", "idx:" + data, "--epochs", "1", "--seed", "1", "--out", model.toString(),
                "--architecture", "conv:4:3,relu,pool:2", "--batch-size", "8", "--validation-size", "16", "--threads", "1");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("train-images-idx3-ubyte.gz (64 images, 8x8 grayscale)");
        ModelPackage pkg = ModelPackage.load(model);
        assertThat(pkg.spec().colorMode()).isEqualTo(PreprocessSpec.ColorMode.GRAYSCALE);
        assertThat(pkg.labels()).hasSize(10);
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(run("train", "--dataset", "cifar", "--epochs", "1", "--seed", "1", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("expected a dataset 'synthetic' or 'idx:DIR', found 'cifar'");
        assertThat(run("train", "--dataset", "synthetic", "--epochs", "1", "--seed", "1", "--out", dir.toString(),
                "--architecture", "conv:3")).isEqualTo(2);
        assertThat(err.toString()).contains("layer 'conv:3'");
        assertThat(run("train", "--dataset", "synthetic", "--epochs", "0", "--seed", "1", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("epochs must be >= 1, found 0");
        assertThat(run("train", "--dataset", "synthetic", "--epochs", "1", "--seed", "1", "--out", dir.toString(),
                "--optimizer", "rmsprop")).isEqualTo(2);
        assertThat(err.toString()).contains("rmsprop");
        assertThat(run("train", "--dataset", "synthetic", "--epochs", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required options");
    }

    @Test
    void missingIdxFilesAreReported() {
        int code = run("train", "--dataset", "idx:" + dir.resolve("none"), "--epochs", "1", "--seed", "1",
                "--out", dir.resolve("m").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("error: MISSING_FILE: IDX dataset directory not found");
        assertThat(dir.resolve("m")).doesNotExist();
    }

    static String[] concat(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * An MNIST-style directory of 8x8 images: even samples have a bright row (label 0), odd ones a bright
     * column (label 1); the train and t10k splits are gzipped.
     */
    static Path writeIdxBars(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        byte[] images = new byte[count * 64];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            int pos = 1 + (i / 2) % 6;
            labels[i] = (byte) (i % 2);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = i % 2 == 0 ? y == pos : x == pos;
                    images[i * 64 + y * 8 + x] = (byte) (on ? 220 : 20 + (x * y) % 9);
                }
            }
        }
        for (String split : new String[] {"train", "t10k"}) {
            write(dir.resolve(split + "-images-idx3-ubyte.gz"), idx(new int[] {count, 8, 8}, images));
            write(dir.resolve(split + "-labels-idx1-ubyte.gz"), idx(new int[] {count}, labels));
        }
        return dir;
    }

    private static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    private static void write(Path file, byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(raw);
        }
        Files.write(file, bytes.toByteArray());
    }
}
