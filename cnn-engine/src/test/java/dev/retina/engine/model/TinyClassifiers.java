package dev.retina.engine.model;

import dev.retina.engine.testing.Attr;
import dev.retina.engine.testing.OnnxGraphBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny ONNX classifiers for model-package tests: {@code image [N, C, H, W] -> GlobalAveragePool -> Flatten -> Gemm
 * -> scores [N, K]} (optionally followed by Softmax). Class k's logit is {@code 10 * mean(channel k)} for k < C, so
 * a red image is class 0, a green one class 1 and a blue one class 2.
 */
final class TinyClassifiers {

    private TinyClassifiers() {
    }

    static byte[] onnx(int channels, int height, int width, int classes, boolean softmax) {
        OnnxGraphBuilder b = OnnxGraphBuilder.create("tiny_classifier", 13);
        String x = b.input("image", -1, channels, height, width);
        String pooled = b.node("GlobalAveragePool", List.of(x));
        String flat = b.node("Flatten", List.of(pooled), Attr.i("axis", 1));
        float[] w = new float[classes * channels];
        for (int k = 0; k < Math.min(classes, channels); k++) {
            w[k * channels + k] = 10f;
        }
        String weights = b.floats("W", w, classes, channels);
        String bias = b.floats("B", new float[classes], classes);
        String out = softmax ? "logits" : "scores";
        b.node("Gemm", List.of(flat, weights, bias), out, Attr.i("transB", 1));
        if (softmax) {
            b.node("Softmax", List.of(out), "scores", Attr.i("axis", 1));
        }
        b.output("scores", -1, classes);
        return b.build();
    }

    /** Writes a package directory with the given files; a null content leaves that file out. */
    static Path writePackage(Path dir, byte[] onnx, String labels, String preprocessJson) throws IOException {
        Files.createDirectories(dir);
        if (onnx != null) {
            Files.write(dir.resolve(ModelPackage.MODEL_FILE), onnx);
        }
        if (labels != null) {
            Files.write(dir.resolve(ModelPackage.LABELS_FILE), labels.getBytes(StandardCharsets.UTF_8));
        }
        if (preprocessJson != null) {
            Files.write(dir.resolve(ModelPackage.PREPROCESS_FILE), preprocessJson.getBytes(StandardCharsets.UTF_8));
        }
        return dir;
    }
}
