package dev.retina.engine.model;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and checks a model package's {@code labels.txt}: UTF-8 (a leading byte-order mark is skipped), one label
 * per line in class-index order, {@code \n} or {@code \r\n} line ends. Each label is trimmed of surrounding
 * whitespace. Blank lines at the end are ignored; a blank line before the last label is an error (it would shift
 * every later index), as are an empty file, invalid UTF-8 and a label given twice.
 */
public final class Labels {

    private Labels() {
    }

    /**
     * Parses the bytes of labels.txt.
     *
     * @throws ModelPackageException with reason {@code INVALID_LABELS}, naming the line
     */
    public static List<String> parse(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw invalid("expected UTF-8 text, found invalid bytes (" + e.getMessage() + ")");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] lines = text.split("\r?\n", -1);
        int last = lines.length - 1;
        while (last >= 0 && lines[last].strip().isEmpty()) {
            last--;
        }
        if (last < 0) {
            throw invalid("expected at least one label, found none");
        }
        List<String> labels = new ArrayList<>(last + 1);
        for (int i = 0; i <= last; i++) {
            labels.add(lines[i]);
        }
        return check(labels);
    }

    /**
     * Checks a label list given in memory (e.g. from a model release): trims each label and rejects empty ones and
     * duplicates.
     *
     * @throws ModelPackageException with reason {@code INVALID_LABELS}
     */
    public static List<String> check(List<String> labels) {
        if (labels.isEmpty()) {
            throw invalid("expected at least one label, found none");
        }
        Map<String, Integer> seen = new HashMap<>();
        List<String> out = new ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            String raw = labels.get(i);
            String label = raw == null ? "" : raw.strip();
            if (label.isEmpty()) {
                throw invalid("line " + (i + 1) + ": expected a label, found a blank line (blank lines are only "
                        + "allowed after the last label)");
            }
            if (label.indexOf('\r') >= 0 || label.indexOf('\n') >= 0) {
                throw invalid("line " + (i + 1) + ": a label must be one line, found a line break in \"" + label
                        + "\"");
            }
            Integer earlier = seen.putIfAbsent(label, i + 1);
            if (earlier != null) {
                throw invalid("line " + (i + 1) + ": duplicate label \"" + label + "\", already on line " + earlier);
            }
            out.add(label);
        }
        return List.copyOf(out);
    }

    /** The labels as labels.txt text: one per line, each ended by {@code \n}. */
    public static String format(List<String> labels) {
        StringBuilder sb = new StringBuilder();
        for (String l : check(labels)) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    private static ModelPackageException invalid(String message) {
        return new ModelPackageException(ModelPackageException.Reason.INVALID_LABELS, "labels.txt: " + message);
    }
}
