package dev.retina.schemas.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import com.sun.net.httpserver.HttpServer;

/** A localhost HTTP server answering from a queue of canned responses and recording every request. */
final class StubHttpServer implements AutoCloseable {

    record Canned(int status, String body) {
    }

    record Seen(String method, String path, String contentType, String accept, String authorization, String body) {
    }

    private final HttpServer server;
    private final Deque<Canned> answers = new ArrayDeque<>();
    private final List<Seen> requests = new ArrayList<>();

    StubHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 10);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Canned answer;
            synchronized (this) {
                requests.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Accept"),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
                answer = answers.isEmpty() ? new Canned(500, "{\"error_code\":50001,\"message\":\"no answer\"}")
                    : answers.size() == 1 ? answers.peekFirst() : answers.pollFirst();
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** Queues answers; the last one repeats forever. */
    synchronized StubHttpServer answer(int status, String body) {
        answers.addLast(new Canned(status, body));
        return this;
    }

    synchronized List<Seen> requests() {
        return List.copyOf(requests);
    }

    String url() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
