package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;

import dev.retina.engine.image.DecodedImage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ObservationTest {

    @Test
    void lumaOfHandMadeImages() {
        // one black and one white pixel: luma 0 and 1, mean 0.5, population std 0.5
        DecodedImage bw = DecodedImage.ofRgb(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        LumaSummary l = LumaSummary.of(bw);
        assertThat(l.brightness()).isCloseTo(0.5, within(1e-12));
        assertThat(l.contrast()).isCloseTo(0.5, within(1e-12));
        assertThat(l.brightness()).isCloseTo(bw.meanBrightness(), within(1e-12));
        // pure red and pure green: luma 0.299 and 0.587, mean 0.443, std 0.144
        DecodedImage rg = DecodedImage.ofRgb(1, 2, new byte[] {(byte) 255, 0, 0, 0, (byte) 255, 0});
        LumaSummary c = LumaSummary.of(rg);
        assertThat(c.brightness()).isCloseTo(0.443, within(1e-12));
        assertThat(c.contrast()).isCloseTo(0.144, within(1e-9));
        DecodedImage flat = DecodedImage.ofRgb(3, 3, new byte[27]);
        assertThat(LumaSummary.of(flat).contrast()).isZero();
    }

    @Test
    void builderFromWhatTheClassifierHas() {
        DecodedImage img = DecodedImage.ofRgb(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        Observation o = Observation.builder()
            .setModel("shapes", "3")
            .setSource("camera-1")
            .setTop1(1, "square", 0.75)
            .setProbabilities(new double[] {0.25, 0.75})
            .setImage(img)
            .setLatency(12.5, 3.25)
            .setEventTime(1234)
            .optEmbedding(new float[] {1, 2})
            .optGroundTruth("circle")
            .build();
        assertThat(o.entropy()).isCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), within(1e-15));
        assertThat(o.width()).isEqualTo(2);
        assertThat(o.height()).isEqualTo(1);
        assertThat(o.brightness()).isCloseTo(0.5, within(1e-12));
        assertThat(o.contrast()).isCloseTo(0.5, within(1e-12));
        assertThat(o.labelled()).isTrue();
        assertThat(o.correct()).isFalse();
        assertThat(o.eventTimeMillis()).isEqualTo(1234);
        assertThat(o.embedding()).containsExactly(1, 2);
    }

    @Test
    void builderNamesWhatIsMissing() {
        assertThatThrownBy(() -> Observation.builder().setModel("m", "1").setSource("s").build())
            .isInstanceOf(IllegalStateException.class).hasMessage("an observation needs setTop1() before build()");
        assertThatThrownBy(() -> Observation.builder().setModel("m", "1").setSource("s").setTop1(0, "a", 0.5)
            .setEntropy(0.1).setImage(1, 1, 0.5, 0).setLatency(1, 1).build())
            .isInstanceOf(IllegalStateException.class).hasMessage("an observation needs setEventTime() before build()");
    }
}
