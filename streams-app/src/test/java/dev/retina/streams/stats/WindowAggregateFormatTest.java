package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.FeatureStats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frozen bytes of format version 1 of {@link WindowAggregateSerde}: changelogs written by older deployments must keep
 * reading. The sample is two observations (circle 0.9 labelled circle, square 0.4 labelled circle; sizes 64x48 and
 * 32x32; brightness 0.25 and 0.75; embeddings (1, 2) and (3, 0); latencies 10/2 and 30/4 ms). Never regenerate it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WindowAggregateFormatTest {

    private static final String VERSION_1 =
        "013fe00000000000000206736861706573013301000001a2174c3500000001a2174caa300206636972636c6501067371" +
        "7561726501023fe4cccccccccccd3fc00000000000003fd999999999999a3feccccccccccccd0000000000000000003f" +
        "f000000000000064023fd999999999999a3feccccccccccccd022a013201023fd333333333333300000000000000003f" +
        "d33333333333333fd3333333333333024048000000000000408000000000000040400000000000004050000000000000" +
        "024044000000000000406000000000000040400000000000004048000000000000023fe00000000000003fc000000000" +
        "00003fd00000000000003fe8000000000000023fc999999999999a00000000000000003fc999999999999a3fc9999999" +
        "99999a013f847ae147ae147b416312d0000000009708024024000000000000403e00000000000002df02013701013f84" +
        "7ae147ae147b416312d00000000097080240000000000000004010000000000000028d020123010106636972636c6502" +
        "01010202400000000000000040000000000000003ff00000000000004000000000000000024004f1bbcdcbfa543fd2ac" +
        "c969c110444001e3779b97f4a84008000000000000";

    @Test
    void frozenVersion1SampleStillReads() {
        byte[] bytes = HexFormat.of().parseHex(VERSION_1);
        WindowAggregate w = WindowAggregateSerde.deserialize(bytes);
        assertThat(w.modelName()).isEqualTo("shapes");
        assertThat(w.modelVersion()).isEqualTo("3");
        assertThat(w.count()).isEqualTo(2);
        assertThat(w.lowConfidenceThreshold()).isEqualTo(0.5);
        assertThat(w.lowConfidenceCount()).isEqualTo(1);
        assertThat(w.minEventTime()).isEqualTo(1_795_687_200_000L);
        assertThat(w.maxEventTime()).isEqualTo(1_795_687_230_000L);

        Instant start = Instant.ofEpochMilli(1_795_687_200_000L);
        FeatureStats s = w.toFeatureStats(start, start.plusSeconds(60), null);
        assertThat(s.getClassCounts()).extracting(c -> Map.entry(c.getLabel(), c.getCount()))
            .containsExactly(Map.entry("circle", 1L), Map.entry("square", 1L));
        assertThat(s.getConfidence().getMean()).isCloseTo(0.65, within(1e-15));
        assertThat(s.getInput().getWidthMean()).isEqualTo(48.0);
        assertThat(s.getInput().getHeightMax()).isEqualTo(48);
        assertThat(s.getInput().getBrightnessMean()).isEqualTo(0.5);
        assertThat(s.getInput().getBrightnessVariance()).isEqualTo(0.0625);
        assertThat(s.getEmbedding().getMean()).containsExactly(2.0, 1.0);
        assertThat(s.getEmbedding().getVariance()).containsExactly(1.0, 1.0);
        assertThat(s.getAccuracy().getAccuracy()).isEqualTo(0.5);
        assertThat(s.getLatency().getP50Millis()).isCloseTo(10, within(0.1));
        assertThat(s.getLatency().getInferenceP99Millis()).isCloseTo(4, within(0.04));
    }

    @Test
    void currentWriterStillProducesVersion1() {
        byte[] bytes = HexFormat.of().parseHex(VERSION_1);
        assertThat(WindowAggregateSerde.VERSION).isEqualTo(1);
        assertThat(WindowAggregateSerde.serialize(WindowAggregateSerde.deserialize(bytes))).isEqualTo(bytes);
    }
}
