package dev.retina.streams.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HealthServerTest {

    private final AtomicBoolean live = new AtomicBoolean(true);
    private final AtomicBoolean ready = new AtomicBoolean(false);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final HealthServer.Probe probe = new HealthServer.Probe() {
        @Override
        public boolean live() {
            return live.get();
        }

        @Override
        public boolean ready() {
            return ready.get();
        }

        @Override
        public String detail() {
            return "streams \"RUNNING\", model m:1";
        }
    };

    private HttpResponse<String> get(HealthServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndReadinessFollowTheProbe() throws Exception {
        try (HealthServer server = HealthServer.start("localhost", 0, probe, () -> "metric_a 1.0\n")) {
            HttpResponse<String> health = get(server, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(health.body()).isEqualTo(
                "{\"status\":\"UP\",\"detail\":\"streams \\\"RUNNING\\\", model m:1\"}\n");
            assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
            assertThat(get(server, "/ready").body()).contains("\"status\":\"DOWN\"");
            ready.set(true);
            assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
            live.set(false);
            assertThat(get(server, "/health").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() throws Exception {
        try (HealthServer server = HealthServer.start("localhost", 0, probe, () -> "metric_a 1.0\n")) {
            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).contains(HealthServer.PROMETHEUS_CONTENT_TYPE);
            assertThat(metrics.body()).isEqualTo("metric_a 1.0\n");
        }
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        try (HealthServer server = HealthServer.start("localhost", 0, probe, null)) {
            assertThat(get(server, "/metrics").statusCode()).isEqualTo(404);
            HttpResponse<String> unknown = get(server, "/admin");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("expected /health, /ready or /metrics");
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + server.port() + "/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        }
    }

    @Test
    void aTakenPortIsReportedWithTheSetting() {
        try (HealthServer first = HealthServer.start("localhost", 0, probe, null)) {
            assertThatThrownBy(() -> HealthServer.start("localhost", first.port(), probe, null))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("http.port");
        }
    }
}
