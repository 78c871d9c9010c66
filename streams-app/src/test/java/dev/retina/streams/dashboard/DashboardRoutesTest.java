package dev.retina.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.retina.streams.dashboard.Views.Instance;
import dev.retina.streams.dashboard.Views.ModelState;
import dev.retina.streams.metrics.HealthServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardRoutesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SseBroadcaster broadcaster;
    private DashboardState state;
    private HealthServer server;

    @BeforeEach
    void start() {
        broadcaster = new SseBroadcaster(new SseBroadcaster.Limits(1, 16, Duration.ofSeconds(5), Duration.ofSeconds(30)));
        state = new DashboardState(4, broadcaster, "image-stats",
            new ModelState("shapes", "1", "ab".repeat(32), false, null, List.of()),
            new Instance("instance-a", "retina", "RUNNING", List.of(), List.of(), null));
        HealthServer.Probe probe = new HealthServer.Probe() {
            @Override
            public boolean live() {
                return true;
            }

            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public String detail() {
                return "test";
            }
        };
        server = HealthServer.start("127.0.0.1", 0, probe, () -> "", new DashboardRoutes(state));
    }

    @AfterEach
    void stop() {
        server.close();
        broadcaster.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void thePageAndItsAssetsAreServedWithTheirContentTypes() throws Exception {
        for (String path : List.of("/", "/ui")) {
            HttpResponse<String> page = get(path);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(page.body()).contains("<title>Retina dashboard</title>").contains("/assets/dashboard.js")
                .doesNotContain("http://").doesNotContain("https://");
        }
        HttpResponse<String> js = get("/assets/dashboard.js");
        assertThat(js.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(js.body()).contains("new EventSource('/events')").doesNotContain("https://");
        assertThat(get("/assets/dashboard.css").headers().firstValue("Content-Type"))
            .contains("text/css; charset=utf-8");
    }

    @Test
    void theSnapshotIsJson() throws Exception {
        state.deadLetter(new Views.DeadLetterEntry(1, "CORRUPT_IMAGE", "decode", "bad", "images", 0, 5, 1L));
        HttpResponse<String> response = get("/api/state");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode snapshot = MAPPER.readTree(response.body());
        assertThat(snapshot.get("model").get("version").asText()).isEqualTo("1");
        assertThat(snapshot.get("instance").get("instanceId").asText()).isEqualTo("instance-a");
        assertThat(snapshot.get("deadLetters").get("counts").get("CORRUPT_IMAGE").asLong()).isEqualTo(1);
        assertThat(snapshot.get("thumbnails").asInt()).isEqualTo(4);
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        HttpResponse<String> missing = get("/assets/../../etc/passwd");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("/api/state").contains("/events");
        assertThat(get("/assets/other.js").statusCode()).isEqualTo(404);
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri("/events"))
            .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void theEventStreamStartsWithTheSnapshotThenLiveEventsAndRefusesClientsOverTheLimit() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            List<String> head = new ArrayList<>();
            for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                head.add(line.toLowerCase());
            }
            assertThat(head).contains("content-type: text/event-stream; charset=utf-8");
            String body = readUntil(in, "event: snapshot");
            assertThat(body).contains("retry: 2000");

            // One client is the limit here: a second one gets 503.
            HttpResponse<String> refused = get("/events");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("too many dashboard clients; the limit is 1");

            state.tick(new Views.Tick(5, 12.5, 3, 9, 1, 2, 100, 0, 0, 1));
            String tick = readUntil(in, "event: tick");
            assertThat(tick).contains("event: tick");
            String data = readUntil(in, "data: ");
            assertThat(data).contains("\"imagesPerSecond\":12.5");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            state.tick(new Views.Tick(6, 0, 0, 0, 0, 0, 100, 0, 0, 0));  // a write finds the closed socket
            return broadcaster.clientCount() == 0;
        });
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedFromTheRealServerAfterTheStallTimeout() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.getOutputStream().write("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> broadcaster.clientCount() == 1);
            // 40 MiB of frames, far more than the socket buffers take: the writer blocks, its queue (16) fills.
            String big = "data: " + "x".repeat(1024 * 1024) + "\n\n";
            for (int i = 0; i < 40; i++) {
                broadcaster.publish(big);
            }
            assertThat(broadcaster.dropped()).isPositive();
            // Five seconds (the limit here) of a full queue later the client is dropped: the interrupt ended the
            // writer's blocked socket write and freed the slot.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                broadcaster.sweep();
                return broadcaster.clientCount() == 0;
            });
            assertThat(broadcaster.stalledDisconnects()).isEqualTo(1);
            HttpResponse<String> health = get("/health");
            assertThat(health.statusCode()).as("the HTTP thread is free").isEqualTo(200);
        }
    }

    /** Reads chunked-encoding lines until one contains {@code marker}; returns everything read. */
    private static String readUntil(BufferedReader in, String marker) throws Exception {
        StringBuilder seen = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            seen.append(line).append('\n');
            if (line.contains(marker)) {
                return seen.toString();
            }
        }
        throw new AssertionError("stream ended before '" + marker + "'; read: " + seen);
    }
}
