package dev.retina.engine.exec;

import static dev.retina.engine.onnx.TestModelBuilder.f;
import static dev.retina.engine.onnx.TestModelBuilder.i;
import static dev.retina.engine.onnx.TestModelBuilder.ints;

import dev.retina.engine.onnx.TestModelBuilder;

/** Small whole networks built in code for executor tests (seeded random weights). */
final class TestNets {

    private TestNets() {
    }

    /** LeNet-5 shaped: 1x28x28 input, dynamic batch, two conv/relu/pool stages, three Gemm, Softmax. */
    static byte[] lenet() {
        TestModelBuilder b = new TestModelBuilder(13).input("x", -1, 1, 28, 28)
                .randomInitializer("w1", 1, 0.4f, 6, 1, 5, 5).randomInitializer("b1", 2, 0.1f, 6)
                .randomInitializer("w2", 3, 0.15f, 16, 6, 5, 5).randomInitializer("b2", 4, 0.1f, 16)
                .randomInitializer("f1", 5, 0.1f, 120, 400).randomInitializer("c1", 6, 0.1f, 120)
                .randomInitializer("f2", 7, 0.1f, 84, 120).randomInitializer("c2", 8, 0.1f, 84)
                .randomInitializer("f3", 9, 0.1f, 10, 84).randomInitializer("c3", 10, 0.1f, 10);
        b.node("Conv", new String[] {"x", "w1", "b1"}, new String[] {"a1"}, ints("pads", 2, 2, 2, 2));
        b.node("Relu", "a1", "r1");
        b.node("MaxPool", "r1", "p1", ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        b.node("Conv", new String[] {"p1", "w2", "b2"}, new String[] {"a2"});
        b.node("Relu", "a2", "r2");
        b.node("MaxPool", "r2", "p2", ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        b.node("Flatten", "p2", "fl", i("axis", 1));
        b.node("Gemm", new String[] {"fl", "f1", "c1"}, new String[] {"g1"}, i("transB", 1));
        b.node("Relu", "g1", "h1");
        b.node("Gemm", new String[] {"h1", "f2", "c2"}, new String[] {"g2"}, i("transB", 1));
        b.node("Relu", "g2", "h2");
        b.node("Gemm", new String[] {"h2", "f3", "c3"}, new String[] {"logits"}, i("transB", 1), f("alpha", 1f));
        b.node("Softmax", "logits", "y", i("axis", 1));
        return b.output("y").build();
    }

    /**
     * A residual block with BatchNorm, ReLU6 (Clip), a depthwise conv, a strided grouped conv and a
     * global pool: 3x20x20 input, dynamic batch.
     */
    static byte[] residual() {
        TestModelBuilder b = new TestModelBuilder(13).input("x", -1, 3, 20, 20)
                .randomInitializer("w0", 11, 0.3f, 8, 3, 3, 3)
                .randomInitializer("g0", 12, 0.5f, 8).randomInitializer("be0", 13, 0.2f, 8)
                .randomInitializer("m0", 14, 0.2f, 8).initializer("v0", abs(TestModelBuilder.random(15, 8, 1f)), 8)
                .randomInitializer("wd", 16, 0.4f, 8, 1, 3, 3).randomInitializer("bd", 17, 0.1f, 8)
                .randomInitializer("wp", 18, 0.3f, 8, 8, 1, 1)
                .randomInitializer("wg", 19, 0.3f, 12, 4, 3, 3).randomInitializer("bg", 20, 0.1f, 12)
                .initializer("lo", new float[] {0f}).initializer("hi", new float[] {6f})
                .randomInitializer("fc", 21, 0.3f, 12, 5).randomInitializer("fb", 22, 0.1f, 5);
        b.node("Conv", new String[] {"x", "w0"}, new String[] {"c0"}, ints("pads", 1, 1, 1, 1));
        b.node("BatchNormalization", new String[] {"c0", "g0", "be0", "m0", "v0"}, new String[] {"n0"},
                f("epsilon", 1e-3f));
        b.node("Clip", new String[] {"n0", "lo", "hi"}, new String[] {"r0"});
        b.node("Conv", new String[] {"r0", "wd", "bd"}, new String[] {"d0"}, ints("pads", 1, 1, 1, 1), i("group", 8));
        b.node("Relu", "d0", "d1");
        b.node("Conv", new String[] {"d1", "wp"}, new String[] {"p0"});
        b.node("Add", new String[] {"p0", "r0"}, new String[] {"s0"});
        b.node("Conv", new String[] {"s0", "wg", "bg"}, new String[] {"q0"}, ints("strides", 2, 2),
                ints("pads", 0, 0, 1, 1), i("group", 2));
        b.node("LeakyRelu", "q0", "q1", f("alpha", 0.1f));
        b.node("GlobalAveragePool", "q1", "gp");
        b.node("Flatten", "gp", "fl");
        b.node("MatMul", new String[] {"fl", "fc"}, new String[] {"mm"});
        b.node("Add", new String[] {"mm", "fb"}, new String[] {"y"});
        return b.output("y").build();
    }

    static float[] abs(float[] v) {
        float[] out = v.clone();
        for (int k = 0; k < out.length; k++) {
            out[k] = Math.abs(out[k]) + 0.1f;
        }
        return out;
    }
}
