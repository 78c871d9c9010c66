package dev.retina.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PreprocessorTest {

    /** Identity normalisation: scale 1, mean 0, std 1, so outputs are resampled 0..255 values. */
    private static PreprocessSpec.Builder raw(int h, int w) {
        return PreprocessSpec.builder(h, w).optScale(1.0);
    }

    @Test
    void sameSizeDirectResizeIsTheIdentity() {
        DecodedImage img = grayImage(3, 2, 10, 20, 30, 40, 50, 60);
        Tensor t = new Preprocessor(raw(2, 3).build()).toTensor(img);
        assertThat(t.shape()).isEqualTo(Shape.of(1, 3, 2, 3));
        assertThat(plane(t, 0)).containsExactly(10, 20, 30, 40, 50, 60);
        assertThat(plane(t, 2)).containsExactly(10, 20, 30, 40, 50, 60);
    }

    @Test
    void shrinking4x4To2x2UsesTheAntialiasedTriangleWeights() {
        // Scale 2: support 2 pixels. Output 0 is centred at 1.0 and reads inputs 0, 1, 2 at distances
        // 0.5, 0.5, 1.5 -> triangle weights 0.75, 0.75, 0.25 -> normalised 3/7, 3/7, 1/7. Output 1 mirrors it.
        double[][] w = {{3 / 7.0, 3 / 7.0, 1 / 7.0, 0}, {0, 1 / 7.0, 3 / 7.0, 3 / 7.0}};
        int[] v = new int[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i * 13 % 251;
        }
        Tensor t = new Preprocessor(raw(2, 2).build()).toTensor(grayImage(4, 4, v));
        float[] out = plane(t, 0);
        for (int oy = 0; oy < 2; oy++) {
            for (int ox = 0; ox < 2; ox++) {
                double expected = 0;
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        expected += w[oy][y] * w[ox][x] * v[y * 4 + x];
                    }
                }
                assertThat(out[oy * 2 + ox]).as("output (%d, %d)", ox, oy).isCloseTo((float) expected, within(1e-3f));
            }
        }
    }

    @Test
    void halvingAveragesAStripePatternLikeABoxFilterInsteadOfAliasing() {
        // Columns alternate 0 / 200. Point sampling would return a column (0 or 200); an area filter gives 100
        // for every output away from the border, where the weights 1/8, 3/8, 3/8, 1/8 cover two of each.
        int[] v = new int[8 * 8];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 8) % 2 == 0 ? 0 : 200;
        }
        float[] out = plane(new Preprocessor(raw(4, 4).build()).toTensor(grayImage(8, 8, v)), 0);
        for (int oy = 0; oy < 4; oy++) {
            for (int ox = 1; ox < 3; ox++) {
                assertThat(out[oy * 4 + ox]).isCloseTo(100f, within(1e-3f));
            }
        }
    }

    @Test
    void resizeMatchesPilBilinearWithinOneGreyLevel() {
        // Reference values from PIL 9.4 Image.resize((w, h), Image.BILINEAR) on the same pattern; PIL rounds to
        // 8 bits after each pass, so agreement is within one grey level, not exact.
        assertMatchesPil(7, 5, 3, 2, new int[][] {{85, 94, 35}, {152, 118, 79}, {148, 121, 160}, {174, 114, 93},
            {116, 138, 137}, {113, 141, 156}});
        assertMatchesPil(9, 9, 3, 3, new int[][] {{108, 103, 49}, {154, 126, 120}, {96, 107, 125},
            {134, 139, 129}, {126, 122, 158}, {146, 124, 121}, {140, 121, 201}, {122, 126, 129}, {116, 153, 133}});
        assertMatchesPil(10, 6, 4, 5, new int[][] {{48, 32, 15}, {131, 57, 64}, {144, 84, 156}, {61, 109, 131},
            {109, 143, 48}, {181, 168, 97}, {106, 140, 149}, {112, 128, 118}, {164, 126, 82}, {140, 151, 131},
            {105, 101, 137}, {173, 75, 146}, {181, 108, 115}, {85, 133, 164}, {150, 160, 124}, {181, 185, 121},
            {74, 210, 148}, {120, 91, 172}, {163, 70, 100}, {85, 95, 125}});
        // Enlarging is plain bilinear interpolation.
        assertMatchesPil(3, 2, 7, 5, new int[][] {{0, 0, 0}, {5, 2, 1}, {21, 6, 3}, {37, 11, 5}, {53, 16, 11},
            {69, 20, 18}, {74, 22, 20}, {5, 10, 3}, {10, 12, 4}, {26, 16, 6}, {42, 21, 8}, {58, 26, 14},
            {74, 30, 21}, {79, 32, 23}, {27, 49, 15}, {32, 51, 16}, {48, 55, 18}, {64, 60, 20}, {80, 65, 26},
            {96, 69, 33}, {101, 71, 35}, {48, 87, 26}, {53, 89, 27}, {69, 93, 29}, {85, 98, 31}, {101, 103, 37},
            {117, 107, 44}, {122, 109, 46}, {53, 97, 29}, {58, 99, 30}, {74, 103, 32}, {90, 108, 34},
            {106, 113, 40}, {122, 117, 47}, {127, 119, 49}});
    }

    @Test
    void shorterSideResizeThenCenterCropTakesTheMiddle() {
        // 8 wide x 4 high, shorter side 4 -> stays 8x4 (scale 1, identity); crop 4x4 from the centre: columns 2..5
        int[] v = new int[32];
        for (int i = 0; i < 32; i++) {
            v[i] = i;
        }
        PreprocessSpec spec = raw(4, 4).optResizeShorterSide(4).build();
        float[] out = plane(new Preprocessor(spec).toTensor(grayImage(8, 4, v)), 0);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(out[y * 4 + x]).isEqualTo(y * 8 + x + 2);
            }
        }
    }

    @Test
    void centerCropOffsetsRoundHalfToEvenLikeTorchvision() {
        // 7 wide x 3 high, crop 3x2 of the 7x3 (shorter side 3 keeps the size): left = round(4 / 2) = 2,
        // top = round(1 / 2) = round(0.5) = 0 (half to even), so rows 0..1 and columns 2..4
        int[] v = new int[21];
        for (int i = 0; i < 21; i++) {
            v[i] = i * 3;
        }
        PreprocessSpec spec = raw(2, 3).optResizeShorterSide(3).build();
        float[] out = plane(new Preprocessor(spec).toTensor(grayImage(7, 3, v)), 0);
        assertThat(out).containsExactly(6, 9, 12, 27, 30, 33);
    }

    @Test
    void shorterSideResizeKeepsTheAspectRatioWithFloorOfTheLongerSide() {
        // 10 x 4 -> shorter side 2 -> 5 x 2 (floor(2 * 10 / 4) = 5); crop 2x2 -> left = round(1.5) = 2.
        // Halving each axis: compare with a direct 5x2 resize's columns 2..3.
        int[] v = new int[40];
        for (int i = 0; i < 40; i++) {
            v[i] = (i * 29) % 256;
        }
        DecodedImage img = grayImage(10, 4, v);
        float[] cropped = plane(new Preprocessor(raw(2, 2).optResizeShorterSide(2).build()).toTensor(img), 0);
        float[] full = plane(new Preprocessor(raw(2, 5).build()).toTensor(img), 0);
        assertThat(cropped).containsExactly(full[2], full[3], full[7], full[8]);
    }

    @Test
    void meanStdScaleAndChannelOrderAreAppliedPerChannel() {
        DecodedImage img = DecodedImage.ofRgb(1, 1, new byte[] {(byte) 255, (byte) 128, 0});
        PreprocessSpec rgb = PreprocessSpec.builder(1, 1).optMean(0.5, 0.25, 0.125).optStd(0.5, 0.25, 2.0).build();
        float[] o = new Preprocessor(rgb).toTensor(img).data();
        assertThat(o[0]).isCloseTo((float) ((1.0 - 0.5) / 0.5), within(1e-6f));
        assertThat(o[1]).isCloseTo((float) ((128 / 255.0 - 0.25) / 0.25), within(1e-6f));
        assertThat(o[2]).isCloseTo((float) ((0 - 0.125) / 2.0), within(1e-6f));

        PreprocessSpec bgr = PreprocessSpec.builder(1, 1).optChannelOrder(PreprocessSpec.ChannelOrder.BGR)
                .optScale(1).optMean(1, 2, 3).build();
        assertThat(new Preprocessor(bgr).toTensor(img).data()).containsExactly(0 - 1, 128 - 2, 255 - 3);
    }

    @Test
    void grayscaleUsesPilsLumaRounding() {
        // L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16; PIL gives 76 for pure red, 150 for green, 29 blue
        DecodedImage img = DecodedImage.ofRgb(3, 1, new byte[] {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255});
        PreprocessSpec spec = PreprocessSpec.builder(1, 3).optColorMode(PreprocessSpec.ColorMode.GRAYSCALE)
                .optScale(1).build();
        Tensor t = new Preprocessor(spec).toTensor(img);
        assertThat(t.shape()).isEqualTo(Shape.of(1, 1, 1, 3));
        assertThat(t.data()).containsExactly(76, 150, 29);
    }

    @Test
    void nhwcInterleavesChannels() {
        DecodedImage img = DecodedImage.ofRgb(2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        PreprocessSpec spec = raw(1, 2).optLayout(PreprocessSpec.Layout.NHWC).build();
        Tensor t = new Preprocessor(spec).toTensor(img);
        assertThat(t.shape()).isEqualTo(Shape.of(1, 1, 2, 3));
        assertThat(t.data()).containsExactly(1, 2, 3, 4, 5, 6);
        Tensor nchw = new Preprocessor(raw(1, 2).build()).toTensor(img);
        assertThat(nchw.data()).containsExactly(1, 4, 2, 5, 3, 6);
    }

    @Test
    void writesIntoACallerBufferAtAnOffsetWithoutTouchingTheRest() {
        Preprocessor p = new Preprocessor(raw(1, 1).build());
        float[] buffer = new float[8];
        java.util.Arrays.fill(buffer, -7f);
        p.preprocess(DecodedImage.ofRgb(1, 1, new byte[] {9, 8, 7}), buffer, 4);
        assertThat(buffer).containsExactly(-7, -7, -7, -7, 9, 8, 7, -7);
        assertThatThrownBy(() -> p.preprocess(DecodedImage.ofRgb(1, 1, new byte[3]), buffer, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 3 floats from offset 6, found an array of 8");
    }

    @Test
    void batchesStackImagesInOrder() {
        Preprocessor p = new Preprocessor(raw(1, 1).build());
        Tensor t = p.toBatch(List.of(DecodedImage.ofRgb(1, 1, new byte[] {1, 2, 3}),
                DecodedImage.ofRgb(1, 1, new byte[] {4, 5, 6})));
        assertThat(t.shape()).isEqualTo(Shape.of(2, 3, 1, 1));
        assertThat(t.data()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThatThrownBy(() -> p.toBatch(List.of())).hasMessageContaining("at least one image");
    }

    @Test
    void largeDownscaleOfAConstantImageStaysConstant() {
        byte[] px = new byte[640 * 480 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = 10;
            px[i + 1] = 100;
            px[i + 2] = (byte) 250;
        }
        Tensor t = new Preprocessor(PreprocessSpec.imageNet(224)).toTensor(DecodedImage.ofRgb(640, 480, px));
        assertThat(t.shape()).isEqualTo(Shape.of(1, 3, 224, 224));
        float r = (float) ((10 / 255.0 - 0.485) / 0.229);
        float b = (float) ((250 / 255.0 - 0.406) / 0.225);
        for (int i = 0; i < 224 * 224; i++) {
            assertThat(t.data()[i]).isCloseTo(r, within(1e-4f));
            assertThat(t.data()[2 * 224 * 224 + i]).isCloseTo(b, within(1e-4f));
        }
    }

    private static void assertMatchesPil(int w, int h, int ow, int oh, int[][] pil) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                px[i] = (byte) ((x * 37 + y * 53) % 256);
                px[i + 1] = (byte) ((x * 11 + y * 97) % 256);
                px[i + 2] = (byte) ((x * x * 5 + y * 29) % 256);
            }
        }
        Tensor t = new Preprocessor(raw(oh, ow).build()).toTensor(DecodedImage.ofRgb(w, h, px));
        for (int c = 0; c < 3; c++) {
            float[] out = plane(t, c);
            for (int i = 0; i < ow * oh; i++) {
                assertThat(out[i]).as("%dx%d -> %dx%d channel %d pixel %d", w, h, ow, oh, c, i)
                        .isCloseTo(pil[i][c], within(1.0f));
            }
        }
    }

    private static DecodedImage grayImage(int w, int h, int... values) {
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < values.length; i++) {
            px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = (byte) values[i];
        }
        return DecodedImage.ofRgb(w, h, px);
    }

    private static float[] plane(Tensor t, int c) {
        int plane = t.shape().dim(2) * t.shape().dim(3);
        return java.util.Arrays.copyOfRange(t.data(), c * plane, (c + 1) * plane);
    }
}
