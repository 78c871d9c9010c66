package dev.retina.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.retina.streams.dashboard.Views.ImageCard;
import dev.retina.streams.dashboard.Views.Instance;
import dev.retina.streams.dashboard.Views.ModelState;
import dev.retina.streams.dashboard.Views.StatsWindow;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DashboardStateTest {

    private final SseBroadcaster broadcaster = new SseBroadcaster(SseBroadcaster.Limits.defaults());
    private final DashboardState state = new DashboardState(3, broadcaster, "image-stats",
        new ModelState("shapes", "1", null, true, null, List.of()),
        new Instance("a", "app", "RUNNING", List.of(), List.of(), null));

    private static ImageCard card(long seq) {
        return new ImageCard(seq, "img-" + seq, "test", "circle", 0.9, "1", 10, 2, 0, seq, null, seq, null, "none");
    }

    private static StatsWindow window(long start, String version, boolean drift) {
        return new StatsWindow(start, start + 1000, "shapes", version, 5, Map.of("circle", 5L), 0.9, 0.9, 0.95, 0,
            1.0, 5, 0.1, 0.1, 0.25, drift, 10, 20);
    }

    @Test
    void keepsTheLastImagesOnly() {
        for (long i = 1; i <= 5; i++) {
            state.image(card(i));
        }
        assertThat(state.snapshot().images()).extracting(ImageCard::seq).containsExactly(3L, 4L, 5L);
        assertThat(state.snapshot().seq()).isEqualTo(5);
    }

    @Test
    void theModelIsPublishedOnlyWhenItChanges() {
        long before = state.snapshot().seq();
        state.model(new ModelState("shapes", "1", null, true, null, List.of()));
        assertThat(state.snapshot().seq()).isEqualTo(before);
        state.model(new ModelState("shapes", "2", null, true, null, List.of()));
        assertThat(state.snapshot().seq()).isEqualTo(before + 1);
        assertThat(state.snapshot().model().version()).isEqualTo("2");
    }

    @Test
    void statsWindowsAreOrderedAndAReEmittedWindowReplacesTheOldOne() {
        state.statsWindow(window(2000, "1", false));
        state.statsWindow(window(1000, "1", false));
        state.statsWindow(window(2000, "1", true));
        assertThat(state.snapshot().stats().windows()).extracting(StatsWindow::windowStart, StatsWindow::drift)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(1000L, false),
                org.assertj.core.groups.Tuple.tuple(2000L, true));
        state.statsStatus("waiting for topic image-stats");
        assertThat(state.snapshot().stats().status()).isEqualTo("waiting for topic image-stats");
    }

    @Test
    void deadLettersAreCountedByReasonAndTheLatestKeptBounded() {
        for (int i = 0; i < DashboardSettings.DEAD_LETTERS_KEPT + 5; i++) {
            state.deadLetter(new Views.DeadLetterEntry(i, i % 2 == 0 ? "CORRUPT_IMAGE" : "DESERIALIZATION",
                "decode", "m" + i, "images", 0, i, i));
        }
        Views.DeadLetters d = state.snapshot().deadLetters();
        assertThat(d.counts()).containsEntry("CORRUPT_IMAGE", 13L).containsEntry("DESERIALIZATION", 12L);
        assertThat(d.latest()).hasSize(DashboardSettings.DEAD_LETTERS_KEPT);
        assertThat(d.latest().get(d.latest().size() - 1).message()).isEqualTo("m24");
    }

    @AfterEach
    void close() {
        broadcaster.close();
    }
}
