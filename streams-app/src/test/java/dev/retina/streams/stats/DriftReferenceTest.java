package dev.retina.streams.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DriftReferenceTest {

    private static final String VALID = """
        {
          "format": "retina-drift-reference/1",
          "description": "validation set",
          "modelName": "shapes", "modelVersion": "3",
          "count": 200,
          "classProportions": {"circle": 0.25, "square": 0.75},
          "confidenceBins": [0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4],
          "embedding": {"mean": [1.5, -2], "variance": [0.25, 4]}
        }
        """;

    @Test
    void parsesTheDocumentedFormat() {
        DriftReference r = DriftReference.parse(VALID);
        assertThat(r.description()).isEqualTo("validation set");
        assertThat(r.modelName()).isEqualTo("shapes");
        assertThat(r.modelVersion()).isEqualTo("3");
        assertThat(r.count()).isEqualTo(200);
        assertThat(r.classProportions()).containsExactly(Map.entry("circle", 0.25), Map.entry("square", 0.75));
        assertThat(r.confidenceBins()).containsExactly(0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4);
        assertThat(r.embeddingMean()).containsExactly(1.5, -2);
        assertThat(r.embeddingVariance()).containsExactly(0.25, 4);
    }

    @Test
    void writeThenReadIsIdentity(@TempDir Path dir) throws IOException {
        WindowAggregate w = new WindowAggregate();
        w.add(Obs.of("circle", 0.93).embedding(1, 2).build());
        w.add(Obs.of("square", 0.55).embedding(2, 0).build());
        w.add(Obs.of("square", 0.81).embedding(0, 1).build());
        DriftReference r = DriftReference.fromWindow(w, "first window");
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.classProportions()).containsExactly(Map.entry("circle", 1.0 / 3), Map.entry("square", 2.0 / 3));
        Path file = dir.resolve("reference.json");
        r.write(file);
        assertThat(DriftReference.read(file)).isEqualTo(r);

        DriftReference noEmbedding = DriftReference.parse(VALID.replace(
            ",\n  \"embedding\": {\"mean\": [1.5, -2], \"variance\": [0.25, 4]}", ""));
        assertThat(noEmbedding.hasEmbedding()).isFalse();
        assertThat(DriftReference.parse(noEmbedding.toJson())).isEqualTo(noEmbedding);
    }

    @Test
    void refusesBadFilesWithTheReason(@TempDir Path dir) throws IOException {
        assertRefused(VALID.replace("retina-drift-reference/1", "v2"),
            "expected format 'retina-drift-reference/1', found 'v2'");
        assertRefused(VALID.replace("\"count\": 200,", ""), "missing required field 'count'");
        assertRefused(VALID.replace("\"count\": 200", "\"count\": 2.5"), "expected an integer 'count', found 2.5");
        assertRefused(VALID.replace("0.75", "0.7"), "classProportions must sum to 1");
        assertRefused(VALID.replace("0, 0, 0, 0, 0, 0, 0.1", "0, 0, 0, 0, 0, 0.1"), "expected 10 confidenceBins, found 9");
        assertRefused(VALID.replace("\"count\"", "\"extra\": 1, \"count\""), "unknown field 'extra'");
        assertRefused(VALID.replace("\"variance\": [0.25, 4]", "\"variance\": [0.25]"),
            "embedding mean and variance must have the same length >= 1, found 2 and 1");
        assertRefused(VALID.replace("0.25, 4]", "-0.25, 4]"), "variance finite and >= 0");
        assertRefused(VALID.replace("\"circle\": 0.25", "\"circle\": \"a lot\""),
            "expected a number at 'classProportions.circle'");
        assertRefused("[1, 2]", "expected a JSON object, found ARRAY");
        assertRefused("{\"format\": ", "expected JSON, found a syntax error");

        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{}");
        assertThatThrownBy(() -> DriftReference.read(file)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("drift reference " + file + ": missing required field 'format'");
        assertThatThrownBy(() -> DriftReference.read(dir.resolve("missing.json")))
            .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot read drift reference");
    }

    @Test
    void emptyWindowGivesNoReference() {
        assertThatThrownBy(() -> DriftReference.fromWindow(new WindowAggregate(), "x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found none");
    }

    private static void assertRefused(String json, String reason) {
        assertThatThrownBy(() -> DriftReference.parse(json)).as(reason).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(reason);
    }
}
