package dev.retina.streams.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import dev.retina.streams.dashboard.Views.DeadLetterEntry;
import dev.retina.streams.dashboard.Views.DeadLetters;
import dev.retina.streams.dashboard.Views.ImageCard;
import dev.retina.streams.dashboard.Views.Instance;
import dev.retina.streams.dashboard.Views.ModelState;
import dev.retina.streams.dashboard.Views.Snapshot;
import dev.retina.streams.dashboard.Views.Stats;
import dev.retina.streams.dashboard.Views.StatsWindow;
import dev.retina.streams.dashboard.Views.Tick;

/**
 * What the page shows, kept bounded, and the publication of every change. Each update changes the state and offers
 * its event to the clients under one lock, and a client connects under the same lock (snapshot first, then the
 * events after it), so a page never misses or double-applies an event. Holding the lock costs no I/O: publishing
 * only offers frames to bounded queues.
 *
 * <p>Events (SSE names): {@code snapshot} (a {@link Snapshot}), {@code image} ({@link ImageCard}), {@code tick}
 * ({@link Tick}), {@code dead-letter} ({@link DeadLetters} with only the new entry in {@code latest}), {@code model}
 * ({@link ModelState}), {@code stats} ({@link Stats} with only the new or replaced window), {@code instance}
 * ({@link Instance}).
 */
public final class DashboardState {

    private final int maxImages;
    private final SseBroadcaster broadcaster;
    private final String statsTopic;
    private final Deque<ImageCard> images = new ArrayDeque<>();
    private final Deque<Tick> ticks = new ArrayDeque<>();
    private final Map<String, Long> deadLetterCounts = new TreeMap<>();
    private final Deque<DeadLetterEntry> deadLetters = new ArrayDeque<>();
    private final Deque<StatsWindow> windows = new ArrayDeque<>();
    private String statsStatus = "not started";
    private ModelState model;
    private Instance instance;
    private long seq;

    /**
     * @param maxImages   images kept (dashboard.thumbnails)
     * @param broadcaster where events go
     * @param statsTopic  the statistics topic, named on the page
     * @param model       the model state at start
     * @param instance    the instance at start
     */
    public DashboardState(int maxImages, SseBroadcaster broadcaster, String statsTopic, ModelState model,
                          Instance instance) {
        if (maxImages < 1) {
            throw new IllegalArgumentException("expected maxImages >= 1, found " + maxImages);
        }
        this.maxImages = maxImages;
        this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        this.statsTopic = Objects.requireNonNull(statsTopic, "statsTopic");
        this.model = Objects.requireNonNull(model, "model");
        this.instance = Objects.requireNonNull(instance, "instance");
    }

    public synchronized void image(ImageCard card) {
        bounded(images, card, maxImages);
        publish("image", card);
    }

    public synchronized void tick(Tick tick) {
        bounded(ticks, tick, DashboardSettings.TICKS_KEPT);
        publish("tick", tick);
    }

    public synchronized void deadLetter(DeadLetterEntry entry) {
        deadLetterCounts.merge(entry.reason(), 1L, Long::sum);
        bounded(deadLetters, entry, DashboardSettings.DEAD_LETTERS_KEPT);
        publish("dead-letter", new DeadLetters(new TreeMap<>(deadLetterCounts), List.of(entry)));
    }

    /** Publishes the model state when it differs from the last one. */
    public synchronized void model(ModelState next) {
        if (!next.equals(model)) {
            model = next;
            publish("model", next);
        }
    }

    /** Publishes the instance view when it differs from the last one. */
    public synchronized void instance(Instance next) {
        if (!next.equals(instance)) {
            instance = next;
            publish("instance", next);
        }
    }

    /** Adds (or replaces: same window and version, e.g. re-emitted) one statistics window. */
    public synchronized void statsWindow(StatsWindow window) {
        windows.removeIf(w -> w.windowStart() == window.windowStart()
            && w.modelVersion().equals(window.modelVersion()) && w.modelName().equals(window.modelName()));
        List<StatsWindow> sorted = new ArrayList<>(windows);
        sorted.add(window);
        sorted.sort((a, b) -> a.windowStart() != b.windowStart() ? Long.compare(a.windowStart(), b.windowStart())
            : a.modelVersion().compareTo(b.modelVersion()));
        while (sorted.size() > DashboardSettings.WINDOWS_KEPT) {
            sorted.remove(0);
        }
        windows.clear();
        windows.addAll(sorted);
        publish("stats", new Stats(statsTopic, statsStatus, List.of(window)));
    }

    /** The statistics reader's status line (e.g. waiting for the topic), published when it changes. */
    public synchronized void statsStatus(String status) {
        if (!status.equals(statsStatus)) {
            statsStatus = status;
            publish("stats", new Stats(statsTopic, statsStatus, List.of()));
        }
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(seq, maxImages, instance, model, List.copyOf(images), List.copyOf(ticks),
            new DeadLetters(new TreeMap<>(deadLetterCounts), List.copyOf(deadLetters)),
            new Stats(statsTopic, statsStatus, List.copyOf(windows)));
    }

    /**
     * Connects an SSE client: a {@code snapshot} event first, then every later event, with no gap in between.
     *
     * @return empty when the client limit is reached
     */
    public synchronized Optional<SseBroadcaster.Client> connect(SseSink sink) {
        return broadcaster.open(sink, List.of("retry: 2000\n\n", EventJson.frame(seq, "snapshot", snapshot())));
    }

    /** Event stream clients served at once. */
    public int clientLimit() {
        return broadcaster.limits().maxClients();
    }

    private void publish(String type, Object payload) {
        broadcaster.publish(EventJson.frame(++seq, type, payload));
    }

    private static <T> void bounded(Deque<T> deque, T value, int max) {
        deque.addLast(value);
        while (deque.size() > max) {
            deque.removeFirst();
        }
    }
}
