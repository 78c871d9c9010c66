package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClassCountsTest {

    @Test
    void rankedLargestFirstTiesByLabel() {
        ClassCounts c = new ClassCounts();
        for (String s : new String[] {"dog", "cat", "bird", "cat", "dog", "cat"}) {
            c.add(s);
        }
        assertThat(c.total()).isEqualTo(6);
        assertThat(c.ranked()).containsExactly(Map.entry("cat", 3L), Map.entry("dog", 2L), Map.entry("bird", 1L));
        assertThat(c.proportions()).containsExactly(Map.entry("bird", 1.0 / 6), Map.entry("cat", 0.5),
            Map.entry("dog", 1.0 / 3));
        ClassCounts tie = new ClassCounts();
        tie.add("b");
        tie.add("a");
        assertThat(tie.ranked()).containsExactly(Map.entry("a", 1L), Map.entry("b", 1L));
    }

    @Test
    void mergeAddsCounts() {
        ClassCounts a = new ClassCounts();
        a.add("cat", 2);
        ClassCounts b = new ClassCounts();
        b.add("cat", 1);
        b.add("dog", 4);
        a.merge(b);
        assertThat(a.count("cat")).isEqualTo(3);
        assertThat(a.count("dog")).isEqualTo(4);
        assertThat(a.count("emu")).isZero();
        assertThat(a.total()).isEqualTo(7);
        assertThatThrownBy(() -> a.add("cat", -1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("class count must be >= 0, found -1 for 'cat'");
    }

    @Test
    void labelAccuracyAndRecall() {
        LabelAccuracy a = new LabelAccuracy();
        a.add("cat", true);
        a.add("cat", false);
        a.add("cat", true);
        a.add("dog", false);
        LabelAccuracy b = new LabelAccuracy();
        b.add("dog", true);
        a.merge(b);
        assertThat(a.labelled()).isEqualTo(5);
        assertThat(a.correct()).isEqualTo(3);
        assertThat(a.accuracy()).isEqualTo(0.6);
        assertThat(a.byLabel()).containsExactly(Map.entry("cat", new LabelAccuracy.Tally(3, 2)),
            Map.entry("dog", new LabelAccuracy.Tally(2, 1)));
        assertThat(a.byLabel().get("cat").recall()).isEqualTo(2.0 / 3);
        assertThat(new LabelAccuracy().accuracy()).isZero();
    }

    @Test
    void serializationRoundTripAndDuplicateRefused() {
        ClassCounts c = new ClassCounts();
        c.add("ünïcode", 5);
        c.add("cat", 1);
        StatsWriter out = new StatsWriter(4);
        c.writeTo(out);
        StatsReader in = new StatsReader(out.toByteArray());
        ClassCounts back = ClassCounts.readFrom(in, "class");
        in.requireEnd();
        assertThat(back.ranked()).isEqualTo(c.ranked());

        StatsWriter dup = new StatsWriter(4);
        dup.writeVarLong(2);
        dup.writeString("cat");
        dup.writeVarLong(1);
        dup.writeString("cat");
        dup.writeVarLong(1);
        assertThatThrownBy(() -> ClassCounts.readFrom(new StatsReader(dup.toByteArray()), "class"))
            .isInstanceOf(StatsFormatException.class).hasMessage("expected distinct class labels, found 'cat' twice");
    }
}
