package dev.retina.streams.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Fetches ONNX bytes that a release names by URI instead of carrying them inline: {@code file:} (a path every
 * instance can read, e.g. a shared volume) or {@code http:}/{@code https:} (GET, 200 expected, redirects
 * followed). Reading stops with an error past {@code maxBytes}, before the rest is downloaded.
 */
public final class ModelBytesFetcher {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL).build();

    /**
     * @throws IOException with the URI and what went wrong (unsupported scheme, status, size, I/O)
     */
    public byte[] fetch(String uri, long maxBytes) throws IOException {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IOException("expected a file:, http: or https: URI, found '" + uri + "'", e);
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(java.util.Locale.ROOT);
        switch (scheme) {
            case "file" -> {
                Path file = Path.of(parsed);
                long size = Files.size(file);
                if (size > maxBytes) {
                    throw new IOException("expected at most " + maxBytes + " bytes at " + uri + ", found " + size);
                }
                return Files.readAllBytes(file);
            }
            case "http", "https" -> {
                HttpRequest request = HttpRequest.newBuilder(parsed).timeout(TIMEOUT).GET().build();
                HttpResponse<InputStream> response;
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while fetching " + uri, e);
                }
                try (InputStream in = response.body()) {
                    if (response.statusCode() != 200) {
                        throw new IOException("expected HTTP 200 from " + uri + ", found " + response.statusCode());
                    }
                    byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                    if (body.length > maxBytes) {
                        throw new IOException("expected at most " + maxBytes + " bytes at " + uri + ", found more");
                    }
                    return body;
                }
            }
            default -> throw new IOException("expected a file:, http: or https: URI, found '" + uri + "'");
        }
    }
}
