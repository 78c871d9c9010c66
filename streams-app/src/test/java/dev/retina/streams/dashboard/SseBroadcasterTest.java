package dev.retina.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SseBroadcasterTest {

    /** A client that reads everything. */
    static final class CollectingSink implements SseSink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public OutputStream body() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (bytes) {
                        bytes.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (bytes) {
                        bytes.write(b, off, len);
                    }
                }
            };
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    /** A client that never reads: its first write blocks until the writer thread is interrupted. */
    static final class StuckSink implements SseSink {
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        private final CountDownLatch never = new CountDownLatch(1);

        @Override
        public OutputStream body() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    writing.countDown();
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        throw new InterruptedIOException("write interrupted");
                    }
                }
            };
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    private static SseBroadcaster.Limits limits(int clients, int queue, Duration stall) {
        return new SseBroadcaster.Limits(clients, queue, stall, Duration.ofSeconds(30));
    }

    @Test
    void aClientThatNeverReadsNeitherBlocksThePublisherNorStarvesOthers() {
        try (SseBroadcaster b = new SseBroadcaster(limits(4, 8, Duration.ofMinutes(5)))) {
            StuckSink stuck = new StuckSink();
            CollectingSink reader = new CollectingSink();
            SseBroadcaster.Client stuckClient = b.open(stuck, List.of()).orElseThrow();
            SseBroadcaster.Client readerClient = b.open(reader, List.of()).orElseThrow();
            b.publish("data: first\n\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> stuck.writing.getCount() == 0);

            // 20,000 frames while one client is stuck in a write: every publish returns at once, its frames drop.
            long start = System.nanoTime();
            for (int i = 0; i < 20_000; i++) {
                b.publish("data: " + i + "\n\n");
            }
            double millis = (System.nanoTime() - start) / 1e6;
            assertThat(millis).as("publishing 20,000 frames with a stuck client took %.0f ms", millis)
                .isLessThan(5_000);
            assertThat(stuckClient.queued()).isEqualTo(8);
            assertThat(b.dropped()).isGreaterThanOrEqualTo(20_000 - 8);

            // The reading client is served all along: it drains, then gets the next frame.
            await().atMost(Duration.ofSeconds(5)).until(() -> readerClient.queued() == 0);
            b.publish("data: end\n\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> reader.text().endsWith("data: end\n\n"));
            assertThat(reader.text()).startsWith("data: first\n\ndata: 0\n\n");
            assertThat(b.clientCount()).isEqualTo(2);
            assertThat(stuckClient.isGone()).isFalse();
        }
    }

    @Test
    void aClientStalledPastTheTimeoutIsDisconnectedAndItsSlotFreed() throws Exception {
        AtomicLong now = new AtomicLong();
        try (SseBroadcaster b = new SseBroadcaster(limits(1, 2, Duration.ofSeconds(10)), now::get)) {
            StuckSink stuck = new StuckSink();
            assertThat(b.open(stuck, List.of())).isPresent();
            assertThat(b.open(new CollectingSink(), List.of())).as("one client allowed").isEmpty();
            b.publish("data: 0\n\n");
            stuck.writing.await();
            b.publish("data: 1\n\n");
            b.publish("data: 2\n\n");
            b.publish("data: 3\n\n");  // queue of 2 full: dropped, stall clock starts
            assertThat(b.dropped()).isEqualTo(1);
            now.addAndGet(Duration.ofSeconds(9).toNanos());
            b.sweep();
            assertThat(stuck.closed.getCount()).as("not yet stalled long enough").isEqualTo(1);
            now.addAndGet(Duration.ofSeconds(2).toNanos());
            b.sweep();
            assertThat(stuck.closed.await(5, TimeUnit.SECONDS)).as("stalled client closed").isTrue();
            assertThat(b.stalledDisconnects()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> b.clientCount() == 0);
            CollectingSink next = new CollectingSink();
            await().atMost(Duration.ofSeconds(5)).until(() -> b.open(next, List.of("data: hello\n\n")).isPresent());
            await().atMost(Duration.ofSeconds(5)).until(() -> next.text().equals("data: hello\n\n"));
        }
    }

    @Test
    void initialFramesComeBeforePublishedOnes() {
        try (SseBroadcaster b = new SseBroadcaster(limits(2, 4, Duration.ofSeconds(10)))) {
            CollectingSink sink = new CollectingSink();
            b.open(sink, List.of("event: snapshot\ndata: {}\n\n"));
            b.publish("event: image\ndata: {\"n\":1}\n\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.text().contains("image"));
            assertThat(sink.text()).isEqualTo("event: snapshot\ndata: {}\n\nevent: image\ndata: {\"n\":1}\n\n");
        }
    }

    @Test
    void aClientWhoseConnectionFailsIsRemoved() throws Exception {
        try (SseBroadcaster b = new SseBroadcaster(limits(2, 4, Duration.ofSeconds(10)))) {
            CountDownLatch closed = new CountDownLatch(1);
            SseSink broken = new SseSink() {
                @Override
                public OutputStream body() {
                    return new OutputStream() {
                        @Override
                        public void write(int b) throws IOException {
                            throw new IOException("Broken pipe");
                        }
                    };
                }

                @Override
                public void close() {
                    closed.countDown();
                }
            };
            b.open(broken, List.of());
            b.publish("data: x\n\n");
            assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> b.clientCount() == 0);
        }
    }

    @Test
    void closingDisconnectsEveryClientAndRefusesNewOnes() throws Exception {
        SseBroadcaster b = new SseBroadcaster(limits(2, 4, Duration.ofSeconds(10)));
        StuckSink stuck = new StuckSink();
        b.open(stuck, List.of("data: 0\n\n"));
        stuck.writing.await();
        b.close();
        assertThat(stuck.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(b.open(new CollectingSink(), List.of())).isEmpty();
    }

    @Test
    void limitsAreChecked() {
        assertThatThrownBy(() -> limits(0, 4, Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxClients >= 1");
        assertThatThrownBy(() -> limits(1, 4, Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive stallTimeout");
    }
}
