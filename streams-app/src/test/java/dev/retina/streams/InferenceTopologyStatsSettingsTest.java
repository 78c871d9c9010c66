package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.retina.streams.stats.DriftReference;
import dev.retina.streams.stats.DriftSettings;
import dev.retina.streams.stats.FeatureStatsSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stats.* settings: defaults, environment, validation, and the FeatureStatsSettings built from them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InferenceTopologyStatsSettingsTest {

    @TempDir
    Path dir;

    private static DriftReference reference(String description, String version) {
        return new DriftReference(description, "shapes", version, 100, Map.of("circle", 0.75, "square", 0.25),
            new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.5}, new double[] {1, 2}, new double[] {0.5, 0.25});
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        AppConfig c = AppConfig.of(Map.of());
        assertThat(c.statsEnabled()).isTrue();
        FeatureStatsSettings s = InferenceTopology.statsSettings(c);
        assertThat(s.windowSize()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.grace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.lowConfidenceThreshold()).isEqualTo(0.5);
        assertThat(s.drift()).isEqualTo(DriftSettings.DEFAULTS);
        assertThat(s.minReferenceCount()).isEqualTo(50);
        assertThat(s.fileReferences()).isEmpty();
        assertThat(s.bySource()).isFalse();
        assertThat(s.storePrefix()).isEqualTo(InferenceTopology.STATS_PREFIX);
    }

    @Test
    void environmentAndFilesSetEveryKey() throws IOException {
        Path ref3 = write("ref3.json", reference("validation 3", "3").toJson());
        Path ref4 = write("ref4.json", reference("validation 4", "4").toJson());
        AppConfig c = AppConfig.load(null, Map.of(
            "RETINA_STATS_ENABLED", "true",
            "RETINA_STATS_WINDOW_MS", "5000",
            "RETINA_STATS_GRACE_MS", "0",
            "RETINA_STATS_LOW_CONFIDENCE_THRESHOLD", "0.3",
            "RETINA_STATS_DRIFT_PSI_THRESHOLD", "0.1",
            "RETINA_STATS_DRIFT_EMBEDDING_THRESHOLD", "1.5",
            "RETINA_STATS_REFERENCE_MIN_COUNT", "7",
            "RETINA_STATS_REFERENCE_FILES", ref3 + "," + ref4,
            "RETINA_STATS_BY_SOURCE", "true"), Map.of());
        FeatureStatsSettings s = InferenceTopology.statsSettings(c);
        assertThat(s.windowSize()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.grace()).isZero();
        assertThat(s.lowConfidenceThreshold()).isEqualTo(0.3);
        assertThat(s.drift().psiThreshold()).isEqualTo(0.1);
        assertThat(s.drift().embeddingShiftThreshold()).isEqualTo(1.5);
        assertThat(s.minReferenceCount()).isEqualTo(7);
        assertThat(s.bySource()).isTrue();
        assertThat(s.fileReferences()).containsOnlyKeys("shapes:3", "shapes:4");
        assertThat(s.fileReferences().get("shapes:4").description()).isEqualTo("validation 4");
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.STATS_DRIFT_PSI_THRESHOLD, "0")))
            .isInstanceOf(AppConfigException.class)
            .hasMessageContaining(AppConfig.STATS_DRIFT_PSI_THRESHOLD).hasMessageContaining("finite number > 0");
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.STATS_DRIFT_EMBEDDING_THRESHOLD, "NaN")))
            .isInstanceOf(AppConfigException.class).hasMessageContaining(AppConfig.STATS_DRIFT_EMBEDDING_THRESHOLD);
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.STATS_WINDOW_MS, "0")))
            .isInstanceOf(AppConfigException.class).hasMessageContaining(AppConfig.STATS_WINDOW_MS);
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.STATS_LOW_CONFIDENCE_THRESHOLD, "1.5")))
            .isInstanceOf(AppConfigException.class).hasMessageContaining(AppConfig.STATS_LOW_CONFIDENCE_THRESHOLD);
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.STATS_REFERENCE_MIN_COUNT, "0")))
            .isInstanceOf(AppConfigException.class).hasMessageContaining(AppConfig.STATS_REFERENCE_MIN_COUNT);
    }

    @Test
    void unusableReferenceFilesStopTheStartWithTheFileAndTheReason() throws IOException {
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> InferenceTopology.statsSettings(
                AppConfig.of(Map.of(AppConfig.STATS_REFERENCE_FILES, missing.toString()))))
            .isInstanceOf(AppConfigException.class)
            .hasMessageStartingWith(AppConfig.STATS_REFERENCE_FILES + ": cannot use the drift reference file")
            .hasMessageContaining("missing.json")
            .extracting(e -> ((AppConfigException) e).key()).isEqualTo(AppConfig.STATS_REFERENCE_FILES);

        Path broken = write("broken.json", "{\"format\": \"retina-drift-reference/1\"");
        assertThatThrownBy(() -> InferenceTopology.statsSettings(
                AppConfig.of(Map.of(AppConfig.STATS_REFERENCE_FILES, broken.toString()))))
            .isInstanceOf(AppConfigException.class).hasMessageContaining("broken.json")
            .hasMessageContaining("expected JSON");

        Path a = write("a.json", reference("a", "3").toJson());
        Path b = write("b.json", reference("b", "3").toJson());
        assertThatThrownBy(() -> InferenceTopology.statsSettings(
                AppConfig.of(Map.of(AppConfig.STATS_REFERENCE_FILES, a + "," + b))))
            .isInstanceOf(AppConfigException.class)
            .hasMessage(AppConfig.STATS_REFERENCE_FILES + ": two drift references for shapes:3: 'a' and 'b'");
    }
}
