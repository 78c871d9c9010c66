package dev.retina.streams.dashboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans Server-Sent Events frames out to a bounded number of clients without ever waiting for one of them.
 *
 * <p>Each client has a bounded queue and a writer thread of its own: {@link #publish} only offers the frame to each
 * queue and returns. A client whose queue is full loses that frame (counted in {@link #dropped()}); a client whose
 * queue has stayed full for {@link Limits#stallTimeout()} is disconnected (its writer is interrupted, which closes a
 * socket blocked in a write) so that a browser tab left behind cannot hold a thread and memory forever. A closed tab
 * is noticed by the next write (an event or the heartbeat comment) failing. Thread-safe.
 */
public final class SseBroadcaster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SseBroadcaster.class);
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Bounds of the broadcaster.
     *
     * @param maxClients    clients served at once; more are refused
     * @param queueFrames   frames buffered per client
     * @param stallTimeout  how long a client's queue may stay full before it is disconnected
     * @param heartbeat     idle time after which a comment line is written, to find closed connections
     */
    public record Limits(int maxClients, int queueFrames, Duration stallTimeout, Duration heartbeat) {
        public Limits {
            if (maxClients < 1 || queueFrames < 2) {
                throw new IllegalArgumentException("expected maxClients >= 1 and queueFrames >= 2, found "
                    + maxClients + " and " + queueFrames);
            }
            if (stallTimeout.isNegative() || stallTimeout.isZero() || heartbeat.isNegative() || heartbeat.isZero()) {
                throw new IllegalArgumentException("expected positive stallTimeout and heartbeat, found "
                    + stallTimeout + " and " + heartbeat);
            }
        }

        /** 16 clients, 512 frames each, disconnected after 10 s stalled, a heartbeat every 15 s. */
        public static Limits defaults() {
            return new Limits(16, 512, Duration.ofSeconds(10), Duration.ofSeconds(15));
        }
    }

    private final Limits limits;
    private final LongSupplier nanoClock;
    private final Semaphore slots;
    private final ExecutorService writers;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong disconnected = new AtomicLong();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    public SseBroadcaster(Limits limits) {
        this(limits, System::nanoTime);
    }

    /** With an injected monotonic clock (nanoseconds), for tests of the stall timeout. */
    SseBroadcaster(Limits limits, LongSupplier nanoClock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.slots = new Semaphore(limits.maxClients());
        this.writers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "retina-dashboard-sse-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts serving {@code sink}: the {@code initial} frames first (the snapshot a reconnecting page renders), then
     * every frame published from now on.
     *
     * @return the client, or empty when {@link Limits#maxClients()} are already connected or the broadcaster is
     *     closed (the caller answers 503 and closes the sink)
     */
    public Optional<Client> open(SseSink sink, List<String> initial) {
        Objects.requireNonNull(sink, "sink");
        if (closed.get() || !slots.tryAcquire()) {
            return Optional.empty();
        }
        Client client = new Client(sink, Math.max(limits.queueFrames(), initial.size() + 1));
        initial.forEach(frame -> client.queue.add(frame.getBytes(StandardCharsets.UTF_8)));
        clients.add(client);
        try {
            writers.execute(client::run);
        } catch (RuntimeException e) {
            clients.remove(client);
            slots.release();
            return Optional.empty();
        }
        return Optional.of(client);
    }

    /** Offers {@code frame} to every client; never blocks. The frame is encoded once, whatever the clients. */
    public void publish(String frame) {
        Objects.requireNonNull(frame, "frame");
        if (clients.isEmpty()) {
            return;
        }
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        long now = nanoClock.getAsLong();
        for (Client c : clients) {
            c.offer(bytes, now);
        }
    }

    /** Disconnects clients whose queue has been full for longer than the stall timeout; call it now and then. */
    public void sweep() {
        long now = nanoClock.getAsLong();
        for (Client c : clients) {
            c.checkStall(now);
        }
    }

    /** Clients connected now. */
    public int clientCount() {
        return clients.size();
    }

    /** Frames not delivered because a client's queue was full, since the start. */
    public long dropped() {
        return dropped.get();
    }

    /** Clients disconnected for stalling, since the start. */
    public long stalledDisconnects() {
        return disconnected.get();
    }

    public Limits limits() {
        return limits;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Client c : clients) {
            c.disconnect();
        }
        writers.shutdownNow();
    }

    /** One connected client: its queue and the state of its writer. */
    public final class Client {

        private final SseSink sink;
        private final BlockingQueue<byte[]> queue;
        private final AtomicBoolean gone = new AtomicBoolean();
        private final AtomicLong fullSince = new AtomicLong(-1);
        private volatile Thread writer;

        private Client(SseSink sink, int capacity) {
            this.sink = sink;
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        private void offer(byte[] frame, long now) {
            if (gone.get()) {
                return;
            }
            if (queue.offer(frame)) {
                fullSince.set(-1);
                return;
            }
            dropped.incrementAndGet();
            fullSince.compareAndSet(-1, now);
            checkStall(now);
        }

        private void checkStall(long now) {
            long since = fullSince.get();
            if (since >= 0 && now - since >= limits.stallTimeout().toNanos() && !gone.get()) {
                disconnected.incrementAndGet();
                LOG.info("Dashboard client stalled for {} with {} frames queued; disconnecting it",
                    limits.stallTimeout(), queue.size());
                disconnect();
            }
        }

        /** Whether the client has been disconnected (stalled, closed by the browser, or broadcaster closed). */
        public boolean isGone() {
            return gone.get();
        }

        /** Frames waiting for this client. */
        public int queued() {
            return queue.size();
        }

        private void disconnect() {
            if (gone.compareAndSet(false, true)) {
                Thread t = writer;
                if (t != null) {
                    // A blocking socket write is interruptible: the interrupt closes the channel and ends the write.
                    t.interrupt();
                }
                queue.offer(new byte[0]);  // wakes a writer waiting for the next frame
            }
        }

        private void run() {
            writer = Thread.currentThread();
            try {
                OutputStream out = sink.body();
                long heartbeatNanos = limits.heartbeat().toNanos();
                while (!gone.get()) {
                    byte[] frame = queue.poll(heartbeatNanos, TimeUnit.NANOSECONDS);
                    if (gone.get()) {
                        break;
                    }
                    out.write(frame == null ? HEARTBEAT : frame);
                    out.flush();
                }
            } catch (IOException e) {
                LOG.debug("Dashboard client went away: {}", e.toString());
            } catch (InterruptedException e) {
                LOG.debug("Dashboard client writer interrupted");
            } finally {
                gone.set(true);
                clients.remove(this);
                queue.clear();
                writer = null;
                Thread.interrupted();  // the sink's close must not see a stale interrupt
                sink.close();
                slots.release();
            }
        }
    }
}
