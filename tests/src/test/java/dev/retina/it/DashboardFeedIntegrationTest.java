package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.retina.cli.SyntheticImages;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import dev.retina.streams.dashboard.Dashboard;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's event stream against an application on the embedded broker: a client that reconnects gets a
 * snapshot holding what happened while it was away, then live events again; a client that never reads neither
 * slows the stream nor starves a client that does; two instances of one application each show their own
 * partitions and the whole consumer group.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardFeedIntegrationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static EmbeddedKafka kafka;
    private static EmbeddedSchemaRegistry registry;
    private static StreamsAppRunner app;
    private static String applicationId;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        AvroTrust.ensureTrusted();
        kafka = EmbeddedKafka.builder().start();
        registry = EmbeddedSchemaRegistry.inMemory(0);
        applicationId = "it-dashboard-feed-" + UUID.randomUUID();
        AppConfig config = PipelineFixture.appConfig(kafka, registry, PipelineFixture.model(tmp).dir(),
                tmp.resolve("state"), Map.of(
                        AppConfig.APPLICATION_ID, applicationId,
                        AppConfig.HTTP_HOST, "127.0.0.1",
                        AppConfig.HTTP_PORT, "0",
                        AppConfig.DASHBOARD_THUMBNAILS, "100"));
        app = PipelineFixture.startApp(config);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String events() {
        return "http://127.0.0.1:" + app.httpPort() + "/events";
    }

    private static Set<String> ids(long seed, int count) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(SyntheticImages.imageId(seed, i));
        }
        return ids;
    }

    @Test
    void aReconnectingClientGetsTheSnapshotOfWhatItMissedThenLiveEvents() throws Exception {
        String lastId;
        try (SseTestClient first = new SseTestClient(events(), null)) {
            assertThat(first.status()).isEqualTo(200);
            first.next("snapshot", Duration.ofSeconds(10));
            PipelineFixture.produce(kafka.bootstrapServers(), registry, 101, 5, 0, p -> { });
            Set<String> seen = new HashSet<>();
            SseTestClient.Event last = null;
            while (!seen.containsAll(ids(101, 5))) {
                last = first.next("image", Duration.ofSeconds(60));
                seen.add(MAPPER.readTree(last.data()).get("imageId").asText());
            }
            lastId = last.id();
        }

        // Away: these images are classified while no client listens.
        PipelineFixture.produce(kafka.bootstrapServers(), registry, 102, 5, 0, p -> { });
        Dashboard dashboard = app.dashboard().orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> dashboard.state().snapshot()
                .images().stream().map(i -> i.imageId()).toList().containsAll(ids(102, 5)));

        try (SseTestClient again = new SseTestClient(events(), lastId)) {
            SseTestClient.Event snapshot = again.next(Duration.ofSeconds(10));
            assertThat(snapshot.type()).as("the first event after a reconnect").isEqualTo("snapshot");
            JsonNode state = MAPPER.readTree(snapshot.data());
            Set<String> shown = new HashSet<>();
            state.get("images").forEach(i -> shown.add(i.get("imageId").asText()));
            assertThat(shown).containsAll(ids(101, 5)).containsAll(ids(102, 5));
            assertThat(Long.parseLong(snapshot.id())).isGreaterThan(Long.parseLong(lastId));

            PipelineFixture.produce(kafka.bootstrapServers(), registry, 103, 3, 0, p -> { });
            Set<String> live = new HashSet<>();
            while (!live.containsAll(ids(103, 3))) {
                live.add(MAPPER.readTree(again.next("image", Duration.ofSeconds(60)).data()).get("imageId").asText());
            }
        }
    }

    @Test
    void aClientThatNeverReadsDoesNotSlowTheStreamOrOtherClients() throws Exception {
        // Loopback socket buffers (megabytes once auto-tuned) take this whole feed, so the server's writes to the
        // stuck client may never block here; SseBroadcasterTest covers the blocked writer, its drops and the
        // disconnect with a sink that blocks. This test checks the whole path: nothing waits on the stuck socket.
        int images = 500;
        Dashboard dashboard = app.dashboard().orElseThrow();
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);  // a small window: the server's writes back up sooner
            stuck.connect(new InetSocketAddress("127.0.0.1", app.httpPort()), 5000);
            OutputStream out = stuck.getOutputStream();
            out.write("GET /events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // ... and never reads a byte.
            try (SseTestClient reader = new SseTestClient(events(), null)) {
                reader.next("snapshot", Duration.ofSeconds(10));
                long start = System.nanoTime();
                PipelineFixture.produce(kafka.bootstrapServers(), registry, 201, images, 0, p -> { });
                Set<String> expected = ids(201, images);
                Set<String> seen = new HashSet<>();
                while (!seen.containsAll(expected)) {
                    seen.add(MAPPER.readTree(reader.next("image", Duration.ofSeconds(120)).data())
                            .get("imageId").asText());
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("%d images classified and seen live by a reading client in %.1f s while another "
                        + "client never read; frames dropped for stalled clients %d, stalled disconnects %d, "
                        + "feed drops %d%n", images, seconds, dashboard.broadcaster().dropped(),
                        dashboard.broadcaster().stalledDisconnects(), dashboard.feedDropped());
                assertThat(seconds).as("the stream kept its pace").isLessThan(120);
                assertThat(dashboard.feedDropped()).as("the stream threads never waited and nothing overflowed")
                        .isZero();
                assertThat(dashboard.broadcaster().clientCount()).as("both clients still served").isEqualTo(2);
            }
            PipelineFixture.Collected out2 = PipelineFixture.awaitAllProcessed(kafka.bootstrapServers(), registry,
                    applicationId, Duration.ofSeconds(120), () -> { });
            assertThat(out2.results().stream().map(r -> r.value().getImageId()).toList())
                    .containsAll(ids(201, images));
        }
    }

    @Test
    void twoInstancesEachShowTheirOwnPartitionsAndTheWholeGroup() throws Exception {
        String group = "it-dashboard-group-" + UUID.randomUUID();
        List<StreamsAppRunner> apps = new ArrayList<>();
        try {
            for (String instance : List.of("instance-a", "instance-b")) {
                apps.add(PipelineFixture.startApp(PipelineFixture.appConfig(kafka, registry,
                        PipelineFixture.model(tmp).dir(), tmp.resolve("state-" + instance), Map.of(
                                AppConfig.APPLICATION_ID, group,
                                AppConfig.INSTANCE_ID, instance,
                                AppConfig.HTTP_HOST, "127.0.0.1",
                                AppConfig.HTTP_PORT, "0"))));
            }
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        Set<String> owned = new HashSet<>();
                        for (StreamsAppRunner a : apps) {
                            String body = http.send(HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + a.httpPort() + "/api/state")).build(),
                                    HttpResponse.BodyHandlers.ofString()).body();
                            JsonNode instance = MAPPER.readTree(body).get("instance");
                            assertThat(instance.get("instanceId").asText()).isEqualTo(a.config().instanceId());
                            assertThat(instance.get("applicationId").asText()).isEqualTo(group);
                            assertThat(instance.get("streamsState").asText()).isEqualTo("RUNNING");
                            Set<String> mine = new HashSet<>();
                            instance.get("threads").forEach(t -> t.get("activePartitions")
                                    .forEach(p -> mine.add(p.asText())));
                            Set<String> inputs = new HashSet<>();
                            mine.stream().filter(p -> p.startsWith(PipelineFixture.INPUT + "-")).forEach(inputs::add);
                            assertThat(inputs).as("input partitions of " + a.config().instanceId()).isNotEmpty();
                            assertThat(owned).as("no partition owned twice").doesNotContainAnyElementsOf(inputs);
                            owned.addAll(inputs);
                            assertThat(instance.get("members")).as("group members seen by "
                                    + a.config().instanceId()).hasSize(2);
                        }
                        assertThat(owned).containsExactlyInAnyOrder("images-0", "images-1", "images-2");
                    });
        } finally {
            for (StreamsAppRunner a : apps) {
                a.close();
            }
        }
    }
}
