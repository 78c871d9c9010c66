package dev.retina.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for tests: reads the stream on a thread of its own and queues each event (name, id,
 * data). The JDK HTTP client undoes the chunked transfer encoding, so a data line is always whole.
 */
final class SseTestClient implements AutoCloseable {

    /** One event as the browser's EventSource would see it. */
    record Event(String id, String type, String data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Stream<String> lines;
    private final Thread reader;
    private final int status;

    /** Connects to {@code url}, sending {@code lastEventId} as a reconnecting EventSource does (null for none). */
    SseTestClient(String url, String lastEventId) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        this.status = response.statusCode();
        this.lines = response.body();
        this.reader = new Thread(this::read, "sse-test-client");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    int status() {
        return status;
    }

    private void read() {
        String id = null;
        String type = "message";
        StringBuilder data = null;
        try {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, type, data.toString()));
                    }
                    type = "message";
                    data = null;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line, 6,
                        line.length());
                }
            }
        } catch (RuntimeException e) {
            // closed by the test or by the server
        }
    }

    /** The next event of {@code type}, skipping others; fails after {@code timeout}. */
    Event next(String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no '" + type + "' event within " + timeout);
            }
            if (e.type().equals(type)) {
                return e;
            }
        }
    }

    /** The next event of any type. */
    Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + timeout);
        }
        return e;
    }

    @Override
    public void close() {
        lines.close();
        reader.interrupt();
    }
}
