package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ObservationSerdeTest {

    private static Observation full() {
        return Obs.of("squäre", 0.625).index(7).size(640, 480).brightness(0.3).embedding(1.5f, -2f, 0f, 1e-30f)
            .latency(12.25, 3.5).truth("circle").time(-42).build();
    }

    @Test
    void roundTripWithAndWithoutOptionalParts() {
        ObservationSerde serde = new ObservationSerde();
        for (Observation o : new Observation[] {full(), Obs.of("cat", 1).build()}) {
            byte[] bytes = serde.serializer().serialize("t", o);
            assertThat(bytes[0]).isEqualTo((byte) ObservationSerde.VERSION);
            assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(o);
        }
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void embeddingCostsFourBytesPerDimension() {
        float[] e = new float[512];
        Arrays.fill(e, 0.5f);
        int without = ObservationSerde.serialize(Obs.of("cat", 0.9).build()).length;
        int with = ObservationSerde.serialize(Obs.of("cat", 0.9).embedding(e).build()).length;
        assertThat(with - without).isEqualTo(2 + 4 * 512); // var-long 512 takes two bytes
        assertThat(without).isLessThan(120);
    }

    @Test
    void everyTruncationAndTrailingBytesFail() {
        byte[] bytes = ObservationSerde.serialize(full());
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> ObservationSerde.deserialize(cut)).as("prefix of %d bytes", n)
                .isInstanceOf(StatsFormatException.class);
        }
        assertThatThrownBy(() -> ObservationSerde.deserialize(Arrays.copyOf(bytes, bytes.length + 1)))
            .isInstanceOf(StatsFormatException.class).hasMessageContaining("1 trailing bytes");
    }

    @Test
    void unknownVersionAndInvalidValuesFail() {
        byte[] bytes = ObservationSerde.serialize(full());
        byte[] v2 = bytes.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> ObservationSerde.deserialize(v2)).isInstanceOf(StatsFormatException.class)
            .hasMessage("expected observation format version 1, found 2");
        // the top-1 score follows version, three strings, the index and the label: set it to 2.0
        int offset = 1 + (1 + 6) + (1 + 1) + (1 + 8) + 1 + (1 + 7);
        byte[] bad = bytes.clone();
        bad[offset] = 0x40;
        for (int i = 1; i < 8; i++) {
            bad[offset + i] = 0;
        }
        assertThatThrownBy(() -> ObservationSerde.deserialize(bad)).isInstanceOf(StatsFormatException.class)
            .hasMessage("invalid observation: top1Score must be in [0, 1], found 2.0");
    }
}
