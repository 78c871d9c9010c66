package dev.retina.streams.dashboard;

import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Encodes dashboard payloads (records of this package) as JSON and as Server-Sent Events frames.
 *
 * <p>A frame is {@code id: <seq>\nevent: <type>\ndata: <json>\n\n}. The JSON is written on one line (Jackson's
 * compact output escapes line breaks inside strings), so one {@code data:} line always carries the whole object.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final Pattern TYPE = Pattern.compile("[a-zA-Z][a-zA-Z0-9-]*");

    private EventJson() {
    }

    /**
     * One-line JSON of {@code payload}.
     *
     * @throws IllegalArgumentException if the payload cannot be written as JSON
     */
    public static String json(Object payload) {
        try {
            return MAPPER.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("expected a JSON-serializable payload, found "
                + (payload == null ? "null" : payload.getClass().getName()) + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The SSE frame of one event.
     *
     * @param seq     the event's sequence number (the browser's {@code lastEventId})
     * @param type    the event name the page listens for: letters, digits and dashes, starting with a letter
     * @param payload the event's data, written as JSON
     * @throws IllegalArgumentException if the type is not a valid event name
     */
    public static String frame(long seq, String type, Object payload) {
        Objects.requireNonNull(type, "type");
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("expected an event type of letters, digits and dashes, found '"
                + type + "'");
        }
        return "id: " + seq + "\nevent: " + type + "\ndata: " + json(payload) + "\n\n";
    }
}
