package dev.retina.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EventJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void aFrameHasIdEventAndOneDataLineEvenWhenTextHasLineBreaks() throws Exception {
        Views.DeadLetterEntry entry = new Views.DeadLetterEntry(3, "CORRUPT_IMAGE", "decode",
            "line one\nline two \"quoted\" </script>", "images", 2, 41, 1_700_000_000_000L);
        String frame = EventJson.frame(17, "dead-letter", entry);

        assertThat(frame).startsWith("id: 17\nevent: dead-letter\ndata: {").endsWith("}\n\n");
        String[] lines = frame.split("\n", -1);
        assertThat(lines).hasSize(5);
        JsonNode data = MAPPER.readTree(lines[2].substring("data: ".length()));
        assertThat(data.get("reason").asText()).isEqualTo("CORRUPT_IMAGE");
        assertThat(data.get("message").asText()).isEqualTo("line one\nline two \"quoted\" </script>");
        assertThat(data.get("partition").asInt()).isEqualTo(2);
        assertThat(data.get("offset").asLong()).isEqualTo(41);
        assertThat(data.get("failedAt").asLong()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void recordsNullsAndMapsAreWrittenWithTheirFieldNames() throws Exception {
        Views.StatsWindow w = new Views.StatsWindow(1000, 2000, "shapes", "2", 10, Map.of("circle", 7L), 0.8, 0.82,
            0.97, 1, null, 0, 0.31, 0.02, 0.25, true, 12.5, 40);
        JsonNode node = MAPPER.readTree(EventJson.json(new Views.Stats("image-stats", "reading", List.of(w))));

        JsonNode window = node.get("windows").get(0);
        assertThat(window.get("classCounts").get("circle").asLong()).isEqualTo(7);
        assertThat(window.get("accuracy").isNull()).isTrue();
        assertThat(window.get("drift").asBoolean()).isTrue();
        assertThat(window.get("psiClass").asDouble()).isEqualTo(0.31);
        assertThat(node.get("topic").asText()).isEqualTo("image-stats");
    }

    @Test
    void anInvalidEventTypeIsRefusedWithWhatWasFound() {
        assertThatThrownBy(() -> EventJson.frame(1, "bad\ntype", Map.of()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("letters, digits and dashes").hasMessageContaining("bad\ntype");
    }

    @Test
    void aPayloadJacksonCannotWriteIsReportedWithItsClass() {
        Object cyclic = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };
        assertThatThrownBy(() -> EventJson.json(cyclic))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a JSON-serializable payload");
    }
}
