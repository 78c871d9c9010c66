package dev.retina.streams.model;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * The most recent model events of one manager: swaps, rejections with their reasons, pins. Bounded (oldest events
 * are dropped past {@link #CAPACITY}); thread-safe.
 */
public final class ReloadHistory {

    /** Events kept. */
    public static final int CAPACITY = 256;

    /** What happened to a version. */
    public enum Outcome {
        /** Validated and swapped in; it serves from now on. */
        SERVING,
        /** Failed validation (or could not be read); the previous model kept serving. */
        REJECTED,
        /** Pinned: only this version may serve until unpinned. */
        PINNED,
        /** The pin was lifted: the highest valid version serves again. */
        UNPINNED
    }

    /**
     * One event.
     *
     * @param at      when it happened
     * @param name    model name
     * @param version model version (null for UNPINNED)
     * @param sha256  digest of the bytes, when known (null otherwise)
     * @param outcome what happened
     * @param reason  rejection reason, null unless REJECTED
     * @param message human-readable detail
     * @param origin  source of the candidate (path, topic-partition@offset, or the command that pinned)
     */
    public record Event(Instant at, String name, String version, String sha256, Outcome outcome,
                        ModelRejectedException.Reason reason, String message, String origin) {
        public Event {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(message, "message");
        }
    }

    private final Deque<Event> events = new ArrayDeque<>();

    synchronized void add(Event e) {
        if (events.size() == CAPACITY) {
            events.removeFirst();
        }
        events.addLast(e);
    }

    /** All kept events, oldest first. */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Kept events with the given outcome, oldest first. */
    public synchronized List<Event> events(Outcome outcome) {
        return events.stream().filter(e -> e.outcome() == outcome).toList();
    }
}
