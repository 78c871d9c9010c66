package dev.retina.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LabelsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsOneLabelPerLineWithAnyLineEndAndTrailingBlankLines() {
        assertThat(Labels.parse(utf8("circle\r\nsquare\n  star  \n\n \n"))).containsExactly("circle", "square", "star");
        assertThat(Labels.parse(utf8("a\nb"))).containsExactly("a", "b");
        assertThat(Labels.parse(utf8("\uFEFFchat\nc\u00e9l\u00e8bre\n\u732b\n"))).containsExactly("chat", "c\u00e9l\u00e8bre", "\u732b");
    }

    @Test
    void rejectsBlankLinesBeforeTheLastLabel() {
        assertThatThrownBy(() -> Labels.parse(utf8("a\n\nb\n")))
                .isInstanceOfSatisfying(ModelPackageException.class,
                        e -> assertThat(e.reason()).isEqualTo(ModelPackageException.Reason.INVALID_LABELS))
                .hasMessageContaining("line 2: expected a label, found a blank line");
    }

    @Test
    void rejectsDuplicatesNamingBothLines() {
        assertThatThrownBy(() -> Labels.parse(utf8("cat\ndog\ncat\n")))
                .hasMessageContaining("line 3: duplicate label \"cat\", already on line 1");
    }

    @Test
    void rejectsEmptyFilesAndInvalidUtf8() {
        assertThatThrownBy(() -> Labels.parse(new byte[0])).hasMessageContaining("expected at least one label, found none");
        assertThatThrownBy(() -> Labels.parse(utf8("\n\n  \n"))).hasMessageContaining("found none");
        assertThatThrownBy(() -> Labels.parse(new byte[] {'a', '\n', (byte) 0xC3, '(', '\n'}))
                .hasMessageContaining("expected UTF-8 text, found invalid bytes");
    }

    @Test
    void checksInMemoryListsAndFormatsThem() {
        assertThat(Labels.check(List.of(" a ", "b"))).containsExactly("a", "b");
        assertThatThrownBy(() -> Labels.check(List.of("a", "x\ny"))).hasMessageContaining("must be one line");
        assertThat(Labels.format(List.of("a", "b"))).isEqualTo("a\nb\n");
        assertThat(Labels.parse(utf8(Labels.format(List.of("x", "y", "z"))))).containsExactly("x", "y", "z");
    }
}
