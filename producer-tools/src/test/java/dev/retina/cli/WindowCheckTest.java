package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.ClassCount;
import dev.retina.schemas.avro.FeatureStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's check of emitted windows against the classifications it read. */
@Timeout(10)
class WindowCheckTest {

    static final Duration SECOND = Duration.ofSeconds(1);
    static final long T0 = 1_795_000_000_000L;

    @BeforeAll
    static void trust() {
        AvroTrust.ensureTrusted();
    }

    static FeatureStats window(long startMillis, long count, long late) {
        return StatsTableTest.window(count, List.of(ClassCount.newBuilder().setLabel("circle").setCount(count).build()))
                .setWindowStart(Instant.ofEpochMilli(startMillis)).setWindowEnd(Instant.ofEpochMilli(startMillis + 1000))
                .setLateCount(late).build();
    }

    @Test
    void exactWindowsAndTheOpenOneAreReported() {
        WindowCheck check = new WindowCheck(SECOND);
        check.result("a", "shapes", "1", T0 + 100);
        check.result("b", "shapes", "1", T0 + 900);
        check.result("b", "shapes", "1", T0 + 1500);  // a duplicate result counts once, at its first event time
        check.result("c", "shapes", "1", T0 + 1999);
        check.result("d", "shapes", "1", T0 + 2500);
        assertThat(check.closedWindowsReceived(Duration.ofMillis(200))).as("window 0 closed at T0+1.2s").isFalse();
        assertThat(check.closedWindowsReceived(Duration.ofMillis(1500))).isTrue();

        check.window(window(T0, 2, 0));
        check.window(window(T0 + 1000, 1, 0));
        assertThat(check.closedWindowsReceived(Duration.ofMillis(200))).isTrue();

        WindowCheck.Summary s = check.summary();
        assertThat(s.windows()).isEqualTo(2);
        assertThat(s.windowImages()).isEqualTo(3);
        assertThat(s.mismatches()).isEmpty();
        assertThat(s.openImages()).isEqualTo(1);
        assertThat(s.openFrom()).isEqualTo(Instant.ofEpochMilli(T0 + 2000));
    }

    @Test
    void doubleCountingAndGapsAreMismatches() {
        WindowCheck check = new WindowCheck(SECOND);
        check.result("a", "shapes", "1", T0 + 100);
        check.result("b", "shapes", "1", T0 + 1100);
        check.result("c", "shapes", "1", T0 + 2100);
        check.window(window(T0, 2, 0));
        check.window(window(T0 + 2000, 1, 0));

        assertThat(check.summary().mismatches()).containsExactly(
                "window shapes:1 " + StatsTable.window(Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 1000))
                        + " counted 2 images, the demo read only 1 classifications in it",
                "1 classifications fall before the last emitted window of their model version but in no emitted"
                        + " window");
    }

    @Test
    void imagesLeftOutOfTheirWindowMustBeReportedLate() {
        WindowCheck check = new WindowCheck(SECOND);
        check.result("a", "shapes", "1", T0 + 100);
        check.result("b", "shapes", "1", T0 + 200);
        check.result("c", "shapes", "1", T0 + 1100);
        check.window(window(T0, 1, 0));
        assertThat(check.summary().mismatches()).containsExactly(
                "1 classified images are missing from the count of their window, and 0 were reported late");

        check.window(window(T0 + 1000, 1, 1));
        WindowCheck.Summary s = check.summary();
        assertThat(s.mismatches()).isEmpty();
        assertThat(s.late()).isEqualTo(1);
    }

    @Test
    void modelVersionsAreCheckedApart() {
        WindowCheck check = new WindowCheck(SECOND);
        check.result("a", "shapes", "1", T0 + 100);
        check.result("b", "shapes", "2", T0 + 200);
        check.window(window(T0, 1, 0));  // shapes:1 only

        WindowCheck.Summary s = check.summary();
        assertThat(s.mismatches()).isEmpty();
        assertThat(s.openImages()).as("shapes:2 has no closed window yet").isEqualTo(1);
    }
}
