package dev.retina.engine.op;

import static dev.retina.engine.onnx.TestModelBuilder.i;
import static dev.retina.engine.onnx.TestModelBuilder.ints;
import static dev.retina.engine.onnx.TestModelBuilder.s;
import static dev.retina.engine.op.OpRunner.assertValues;
import static dev.retina.engine.op.OpRunner.iota;
import static dev.retina.engine.op.OpRunner.run;

import dev.retina.engine.onnx.TestModelBuilder;
import dev.retina.engine.tensor.Shape;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Conv and pooling on tiny inputs with results computed by hand. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConvAndPoolTest {

    // Input 1x1x3x3 = [[0,1,2],[3,4,5],[6,7,8]].
    private static final Shape X33 = Shape.of(1, 1, 3, 3);

    @Test
    void conv2x2NoPad() {
        // Kernel [[1,0],[0,-1]]: out(i,j) = x(i,j) - x(i+1,j+1) = -4 everywhere; bias 0.5.
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .initializer("w", new float[] {1, 0, 0, -1}, 1, 1, 2, 2).initializer("b", new float[] {0.5f}, 1)
                .node("Conv", new String[] {"x", "w", "b"}, new String[] {"y"}).output("y").build();
        assertValues(run(m, X33, iota(9)), Shape.of(1, 1, 2, 2), -3.5f, -3.5f, -3.5f, -3.5f);
    }

    @Test
    void convAsymmetricPadStrideAndDilation() {
        // All-ones 2x2 kernel, dilation 2 over 3x3 reaches x(i,j)+x(i,j+2)+x(i+2,j)+x(i+2,j+2);
        // pads top=1 left=0 bottom=0 right=1, stride 2: rows start at -1, 1; cols start at 0, 2.
        byte[] m = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .initializer("w", new float[] {1, 1, 1, 1}, 1, 1, 2, 2)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}, ints("pads", 1, 0, 0, 1),
                        ints("strides", 2, 2), ints("dilations", 2, 2)).output("y").build();
        // Padded height 4 -> out = floor((4 - 2 - 1) / 2) + 1 = 1; width 4 -> 1.
        // Window rows {-1, 1}, cols {0, 2}: x(1,0) + x(1,2) = 3 + 5.
        assertValues(run(m, X33, iota(9)), Shape.of(1, 1, 1, 1), 8f);
    }

    @Test
    void convSameUpperAndLowerPadDifferently() {
        // 2x2 ones kernel on 3x3, stride 1: SAME needs 1 pad per axis; UPPER puts it at the end.
        byte[] upper = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .initializer("w", new float[] {1, 1, 1, 1}, 1, 1, 2, 2)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}, s("auto_pad", "SAME_UPPER")).output("y").build();
        assertValues(run(upper, X33, iota(9)), Shape.of(1, 1, 3, 3), 8, 12, 7, 20, 24, 13, 13, 15, 8);
        byte[] lower = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .initializer("w", new float[] {1, 1, 1, 1}, 1, 1, 2, 2)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}, s("auto_pad", "SAME_LOWER")).output("y").build();
        assertValues(run(lower, X33, iota(9)), Shape.of(1, 1, 3, 3), 0, 1, 3, 3, 8, 12, 9, 20, 24);
    }

    @Test
    void groupedAndDepthwiseConv() {
        // Two channels [0..3] and [4..7] (2x2 each), depthwise 1x1 weights 2 and -1, group 2.
        byte[] m = new TestModelBuilder(13).input("x", 1, 2, 2, 2)
                .initializer("w", new float[] {2, -1}, 2, 1, 1, 1)
                .node("Conv", new String[] {"x", "w"}, new String[] {"y"}, i("group", 2)).output("y").build();
        assertValues(run(m, Shape.of(1, 2, 2, 2), iota(8)), Shape.of(1, 2, 2, 2), 0, 2, 4, 6, -4, -5, -6, -7);
    }

    @Test
    void maxPoolCeilModeKeepsThePartialWindow() {
        // 3x3, kernel 2, stride 2: floor gives 1x1, ceil gives 2x2 with partial windows.
        byte[] floor = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .node("MaxPool", "x", "y", ints("kernel_shape", 2, 2), ints("strides", 2, 2)).output("y").build();
        assertValues(run(floor, X33, iota(9)), Shape.of(1, 1, 1, 1), 4);
        byte[] ceil = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .node("MaxPool", "x", "y", ints("kernel_shape", 2, 2), ints("strides", 2, 2), i("ceil_mode", 1))
                .output("y").build();
        assertValues(run(ceil, X33, iota(9)), Shape.of(1, 1, 2, 2), 4, 5, 7, 8);
    }

    @Test
    void averagePoolCountIncludePad() {
        // 3x3 kernel, pad 1, stride 2 on 3x3: corners see 4 real values of 9 window cells.
        byte[] exclude = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .node("AveragePool", "x", "y", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                        ints("pads", 1, 1, 1, 1)).output("y").build();
        // Top-left window: x(0,0), x(0,1), x(1,0), x(1,1) = 0+1+3+4 = 8 -> 8/4 = 2.
        assertValues(run(exclude, X33, iota(9)), Shape.of(1, 1, 2, 2), 2, 3, 5, 6);
        byte[] include = new TestModelBuilder(13).input("x", 1, 1, 3, 3)
                .node("AveragePool", "x", "y", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                        ints("pads", 1, 1, 1, 1), i("count_include_pad", 1)).output("y").build();
        assertValues(run(include, X33, iota(9)), Shape.of(1, 1, 2, 2), 8f / 9, 12f / 9, 20f / 9, 24f / 9);
    }

    @Test
    void globalPools() {
        byte[] avg = new TestModelBuilder(13).input("x", 1, 2, 2, 2).node("GlobalAveragePool", "x", "y").output("y")
                .build();
        assertValues(run(avg, Shape.of(1, 2, 2, 2), iota(8)), Shape.of(1, 2, 1, 1), 1.5f, 5.5f);
        byte[] max = new TestModelBuilder(13).input("x", 1, 2, 2, 2).node("GlobalMaxPool", "x", "y").output("y")
                .build();
        assertValues(run(max, Shape.of(1, 2, 2, 2), iota(8)), Shape.of(1, 2, 1, 1), 3, 7);
    }

    @Test
    void batchNormalizationInferenceMode() {
        // y = (x - mean) / sqrt(var + eps) * scale + B with var + eps = 4: channel 0 (x-1)/2*3+1, channel 1 x-0.
        byte[] m = new TestModelBuilder(13).input("x", 1, 2, 1, 2)
                .initializer("s", new float[] {3, 2}, 2).initializer("b", new float[] {1, 0}, 2)
                .initializer("mu", new float[] {1, 0}, 2).initializer("v", new float[] {4 - 1e-5f, 4 - 1e-5f}, 2)
                .node("BatchNormalization", new String[] {"x", "s", "b", "mu", "v"}, new String[] {"y"}).output("y")
                .build();
        assertValues(run(m, Shape.of(1, 2, 1, 2), 1, 3, 4, 6), Shape.of(1, 2, 1, 2), 1, 4, 4, 6);
    }
}
