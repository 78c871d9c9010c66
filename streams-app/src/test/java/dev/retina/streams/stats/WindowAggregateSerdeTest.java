package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WindowAggregateSerdeTest {

    private static final Instant START = Instant.parse("2026-11-26T10:00:00Z");

    private static WindowAggregate sample() {
        WindowAggregate w = new WindowAggregate(0.35);
        w.add(Obs.of("cat", 0.9).embedding(1, 2, 3).latency(10, 2).truth("cat").time(-5).build());
        w.add(Obs.of("dog", 0.2).embedding(3, 4, 5).latency(0.001, 2e7).truth("cat").time(1_700_000_000_000L).build());
        w.add(Obs.of("cat", 1.0).embedding(0, 0, 0).latency(0, 0).build());
        return w;
    }

    @Test
    void roundTripKeepsEveryStatistic() {
        WindowAggregate w = sample();
        WindowAggregateSerde serde = new WindowAggregateSerde();
        byte[] bytes = serde.serializer().serialize("t", w);
        assertThat(bytes[0]).isEqualTo((byte) WindowAggregateSerde.VERSION);
        WindowAggregate back = serde.deserializer().deserialize("t", bytes);
        assertThat(WindowAggregateSerde.serialize(back)).isEqualTo(bytes);
        assertThat(back.toFeatureStats(START, START.plusSeconds(10), null, DriftSettings.DEFAULTS))
            .isEqualTo(w.toFeatureStats(START, START.plusSeconds(10), null, DriftSettings.DEFAULTS));
        assertThat(back.minEventTime()).isEqualTo(-5);
        assertThat(back.maxEventTime()).isEqualTo(1_700_000_000_000L);
        assertThat(back.contrast().count()).isEqualTo(3);
        assertThat(back.entropy().mean()).isEqualTo(w.entropy().mean());
        // still mergeable and addable after a trip through the store
        back.add(Obs.of("cat", 0.9).embedding(1, 1, 1).build());
        assertThat(back.count()).isEqualTo(4);
    }

    @Test
    void compactEvenWithThousandBucketLatencyHistograms() {
        byte[] bytes = WindowAggregateSerde.serialize(sample());
        assertThat(bytes.length).isLessThan(800);
        assertThat(WindowAggregateSerde.serialize(new WindowAggregate())).hasSize(1 + 8 + 1);
    }

    @Test
    void emptyAndNull() {
        WindowAggregate back = WindowAggregateSerde.deserialize(WindowAggregateSerde.serialize(new WindowAggregate(0.1)));
        assertThat(back.count()).isZero();
        assertThat(back.lowConfidenceThreshold()).isEqualTo(0.1);
        WindowAggregateSerde serde = new WindowAggregateSerde();
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void unknownVersionIsRefused() {
        byte[] bytes = WindowAggregateSerde.serialize(sample());
        bytes[0] = 2;
        assertThatThrownBy(() -> WindowAggregateSerde.deserialize(bytes)).isInstanceOf(StatsFormatException.class)
            .hasMessage("expected window aggregate format version 1, found 2");
    }

    @Test
    void everyTruncationFailsWithAFormatError() {
        byte[] bytes = WindowAggregateSerde.serialize(sample());
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> WindowAggregateSerde.deserialize(cut)).as("prefix of %d bytes", n)
                .isInstanceOf(StatsFormatException.class);
        }
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] bytes = WindowAggregateSerde.serialize(sample());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
        assertThatThrownBy(() -> WindowAggregateSerde.deserialize(longer)).isInstanceOf(StatsFormatException.class)
            .hasMessage("expected the end of the data at offset " + bytes.length + ", found 2 trailing bytes");
    }

    @Test
    void inconsistentCountsAreRefused() {
        WindowAggregate w = new WindowAggregate();
        w.add(Obs.of("cat", 0.9).build());
        byte[] bytes = WindowAggregateSerde.serialize(w);
        // byte 9 is the var-long window count (after version and threshold): claim two observations
        bytes[9] = 2;
        assertThatThrownBy(() -> WindowAggregateSerde.deserialize(bytes)).isInstanceOf(StatsFormatException.class)
            .hasMessageContaining("inconsistent window state: count 2");
    }
}
