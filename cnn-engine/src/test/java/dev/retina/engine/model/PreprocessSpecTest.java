package dev.retina.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PreprocessSpecTest {

    private static final String IMAGENET = "{\n"
            + "  \"version\": 1,\n"
            + "  \"height\": 224,\n"
            + "  \"width\": 224,\n"
            + "  \"resize\": \"shorter_side\",\n"
            + "  \"resize_size\": 256,\n"
            + "  \"color_mode\": \"rgb\",\n"
            + "  \"channel_order\": \"RGB\",\n"
            + "  \"scale\": 0.00392156862745098,\n"
            + "  \"mean\": [0.485, 0.456, 0.406],\n"
            + "  \"std\": [0.229, 0.224, 0.225],\n"
            + "  \"layout\": \"nchw\",\n"
            + "  \"output\": \"logits\"\n"
            + "}\n";

    @Test
    void parsesAFullDocument() {
        PreprocessSpec s = PreprocessSpec.parse(IMAGENET);
        assertThat(s.height()).isEqualTo(224);
        assertThat(s.width()).isEqualTo(224);
        assertThat(s.resize()).isEqualTo(PreprocessSpec.ResizePolicy.SHORTER_SIDE);
        assertThat(s.resizeSize()).isEqualTo(256);
        assertThat(s.colorMode()).isEqualTo(PreprocessSpec.ColorMode.RGB);
        assertThat(s.channelOrder()).isEqualTo(PreprocessSpec.ChannelOrder.RGB);
        assertThat(s.scale()).isEqualTo(1 / 255.0);
        assertThat(s.mean()).containsExactly(0.485, 0.456, 0.406);
        assertThat(s.std()).containsExactly(0.229, 0.224, 0.225);
        assertThat(s.layout()).isEqualTo(PreprocessSpec.Layout.NCHW);
        assertThat(s.output()).isEqualTo(PreprocessSpec.OutputKind.LOGITS);
        assertThat(s).isEqualTo(PreprocessSpec.imageNet(224));
        assertThat(s.inputDims(8)).containsExactly(8, 3, 224, 224);
        assertThat(s.elementsPerImage()).isEqualTo(3 * 224 * 224);
    }

    @Test
    void fillsDefaultsForAMinimalDocument() {
        PreprocessSpec s = PreprocessSpec.parse("{\"height\": 28, \"width\": 28, \"color_mode\": \"grayscale\"}");
        assertThat(s.resize()).isEqualTo(PreprocessSpec.ResizePolicy.DIRECT);
        assertThat(s.channels()).isEqualTo(1);
        assertThat(s.scale()).isEqualTo(1 / 255.0);
        assertThat(s.mean()).containsExactly(0.0);
        assertThat(s.std()).containsExactly(1.0);
        assertThat(s.output()).isEqualTo(PreprocessSpec.OutputKind.AUTO);
        assertThat(s.inputDims(1)).containsExactly(1, 1, 28, 28);
    }

    @Test
    void toJsonRoundTrips() {
        PreprocessSpec nhwc = PreprocessSpec.builder(32, 48).optResizeShorterSide(60)
                .optChannelOrder(PreprocessSpec.ChannelOrder.BGR).optLayout(PreprocessSpec.Layout.NHWC)
                .optScale(1).optMean(103.53, 116.28, 123.675).optStd(57.375, 57.12, 58.395)
                .optOutput(PreprocessSpec.OutputKind.PROBABILITIES).build();
        assertThat(PreprocessSpec.parse(nhwc.toJson())).isEqualTo(nhwc);
        assertThat(PreprocessSpec.parse(PreprocessSpec.imageNet(224).toJson())).isEqualTo(PreprocessSpec.imageNet(224));
        assertThat(nhwc.inputDims(2)).containsExactly(2, 32, 48, 3);
    }

    @Test
    void embeddingNameRoundTripsAndIsOptional() {
        PreprocessSpec named = PreprocessSpec.builder(4, 4).optEmbedding("fc/in \"1\" \u00e9").build();
        assertThat(PreprocessSpec.parse(named.toJson())).isEqualTo(named);
        assertThat(named.toJson()).isEqualTo(new String(named.toJson().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(PreprocessSpec.parse("{\"height\": 2, \"width\": 3}").embedding()).isNull();
        assertThat(PreprocessSpec.builder(4, 4).build().toJson()).doesNotContain("embedding");
        assertThatThrownBy(() -> PreprocessSpec.parse("{\"height\": 2, \"width\": 3, \"embedding\": \" \"}"))
                .isInstanceOf(ModelPackageException.class).hasMessageContaining("embedding: expected the name");
    }

    @Test
    void acceptsAByteOrderMark() {
        assertThat(PreprocessSpec.parse("\uFEFF{\"height\": 2, \"width\": 3}").width()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "{\"height\": 224}|expected the required keys \"height\" and \"width\"",
        "{\"height\": 224, \"width\": 224, \"mena\": [0]}|unknown key(s) [mena]",
        "{\"height\": 22.5, \"width\": 224}|height: expected an integer, found the number 22.5",
        "{\"height\": \"224\", \"width\": 224}|height: expected an integer, found the string \"224\"",
        "{\"height\": 0, \"width\": 224}|height: expected an integer from 1 to 16384, found 0",
        "{\"height\": 224, \"width\": 99999}|width: expected an integer from 1 to 16384, found 99999",
        "{\"height\": 224, \"width\": 224, \"resize\": \"crop\"}|resize: expected one of \"direct\", \"shorter_side\"",
        "{\"height\": 224, \"width\": 224, \"resize\": \"shorter_side\"}|resize_size: expected an integer from max(height, width) = 224",
        "{\"height\": 224, \"width\": 224, \"resize\": \"shorter_side\", \"resize_size\": 200}|found 200",
        "{\"height\": 224, \"width\": 224, \"resize_size\": 256}|resize_size: applies only to resize \"shorter_side\"",
        "{\"height\": 2, \"width\": 2, \"mean\": [0.5, 0.5]}|mean: expected 3 number(s), one per channel of color_mode \"rgb\", found 2",
        "{\"height\": 2, \"width\": 2, \"std\": [1, 0, 1]}|std: expected finite numbers > 0",
        "{\"height\": 2, \"width\": 2, \"mean\": [1, \"a\", 1]}|mean: expected an array of numbers, found an element the string \"a\"",
        "{\"height\": 2, \"width\": 2, \"scale\": 0}|scale: expected a finite number > 0, found 0.0",
        "{\"height\": 2, \"width\": 2, \"layout\": \"chw\"}|layout: expected one of \"nchw\", \"nhwc\", found the string \"chw\"",
        "{\"height\": 2, \"width\": 2, \"output\": true}|output: expected one of \"logits\", \"probabilities\", \"auto\", found a boolean true",
        "{\"height\": 2, \"width\": 2, \"color_mode\": \"grayscale\", \"channel_order\": \"bgr\"}|channel_order: expected \"rgb\" (or none)",
        "{\"height\": 2, \"width\": 2, \"version\": 2}|version: expected 1, found 2",
        "[1, 2]|expected a JSON object at the top level, found an array",
        "{\"height\": 2,, }|not valid JSON: line 1, column 14",
    })
    void rejectsInvalidSpecsSayingWhatWasExpected(String json, String message) {
        assertThatThrownBy(() -> PreprocessSpec.parse(json))
                .isInstanceOfSatisfying(ModelPackageException.class,
                        e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.INVALID_PREPROCESS))
                .hasMessageStartingWith("INVALID_PREPROCESS: preprocess.json: ")
                .hasMessageContaining(message);
    }

    @Test
    void theConstructorValidatesToo() {
        assertThatThrownBy(() -> new PreprocessSpec(1, 2, 2, PreprocessSpec.ResizePolicy.DIRECT, 0,
                PreprocessSpec.ColorMode.RGB, PreprocessSpec.ChannelOrder.RGB, 1, List.of(0.0), List.of(1.0, 1.0, 1.0),
                PreprocessSpec.Layout.NCHW, PreprocessSpec.OutputKind.AUTO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mean: expected 3 number(s)");
    }
}
