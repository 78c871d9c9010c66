package dev.retina.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frozen preprocess.json samples of format version 1 (test resources, never edited): whatever the spec class
 * becomes, these documents must keep parsing to the same preprocessing.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PreprocessSpecCompatibilityTest {

    @Test
    void fullVersion1DocumentStillReads() throws IOException {
        PreprocessSpec s = PreprocessSpec.parse(resource("preprocess-v1-full.json"));
        assertThat(s).isEqualTo(PreprocessSpec.builder(224, 200).optResizeShorterSide(256)
                .optChannelOrder(PreprocessSpec.ChannelOrder.BGR).optScale(1.0)
                .optMean(103.53, 116.28, 123.675).optStd(57.375, 57.12, 58.395)
                .optLayout(PreprocessSpec.Layout.NHWC).optOutput(PreprocessSpec.OutputKind.PROBABILITIES).build());
    }

    @Test
    void minimalVersion1DocumentStillReadsWithTheSameDefaults() throws IOException {
        PreprocessSpec s = PreprocessSpec.parse(resource("preprocess-v1-minimal.json"));
        assertThat(s).isEqualTo(new PreprocessSpec(1, 28, 28, PreprocessSpec.ResizePolicy.DIRECT, 0,
                PreprocessSpec.ColorMode.GRAYSCALE, PreprocessSpec.ChannelOrder.RGB, 1 / 255.0,
                java.util.List.of(0.0), java.util.List.of(1.0), PreprocessSpec.Layout.NCHW,
                PreprocessSpec.OutputKind.AUTO));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PreprocessSpecCompatibilityTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
