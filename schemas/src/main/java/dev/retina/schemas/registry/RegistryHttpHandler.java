package dev.retina.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the Confluent REST routes onto {@link RegistryService} and writes JSON answers; errors become
 * {@code {"error_code": N, "message": "..."}} with the matching HTTP status.
 *
 * <pre>
 * GET    /subjects                                   GET    /schemas/ids/{id}[/schema|/versions]
 * POST   /subjects/{s}                (lookup)       GET    /schemas/types
 * DELETE /subjects/{s}                (soft)         POST   /compatibility/subjects/{s}/versions/{v|latest}
 * GET    /subjects/{s}/versions                      GET|PUT /config
 * POST   /subjects/{s}/versions       (register)     GET|PUT|DELETE /config/{s}
 * GET    /subjects/{s}/versions/{v|latest}[/schema]
 * </pre>
 */
final class RegistryHttpHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final RegistryService service;

    RegistryHttpHandler(RegistryService service) {
        this.service = service;
    }

    /** A route matched but not its method. */
    private static final class MethodNotAllowed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        int status;
        String body;
        try {
            Object answer = route(exchange);
            status = 200;
            body = answer instanceof String raw ? raw : RegistryService.JSON.writeValueAsString(answer);
        } catch (RegistryApiError e) {
            status = e.status();
            body = errorBody(e.errorCode(), e.getMessage());
        } catch (MethodNotAllowed e) {
            status = 405;
            body = errorBody(405, "HTTP 405 Method Not Allowed");
        } catch (SchemaStoreException e) {
            LOG.error("Schema store failed during {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            status = 500;
            body = errorBody(ErrorCodes.STORE_ERROR, "Error in the backend data store: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure during {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            status = 500;
            body = errorBody(500, "Internal error: " + e);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        exchange.close();
    }

    private static String errorBody(int code, String message) {
        return RegistryService.JSON.createObjectNode().put("error_code", code).put("message", message).toString();
    }

    private Object route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> p = segments(exchange.getRequestURI().getRawPath());
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int n = p.size();
        if (n == 0) {
            requireMethod(method, "GET");
            return RegistryService.JSON.createObjectNode();
        }
        switch (p.get(0)) {
            case "subjects":
                if (n == 1) {
                    requireMethod(method, "GET");
                    return service.subjects();
                }
                String subject = p.get(1);
                if (n == 2) {
                    if ("POST".equals(method)) {
                        return service.lookup(subject, body(exchange));
                    }
                    requireMethod(method, "DELETE");
                    return service.deleteSubject(subject, "true".equals(query.get("permanent")));
                }
                if (!"versions".equals(p.get(2))) {
                    break;
                }
                if (n == 3) {
                    if ("POST".equals(method)) {
                        return service.register(subject, body(exchange));
                    }
                    requireMethod(method, "GET");
                    return service.versions(subject);
                }
                if (n == 4) {
                    requireMethod(method, "GET");
                    return service.version(subject, p.get(3));
                }
                if (n == 5 && "schema".equals(p.get(4))) {
                    requireMethod(method, "GET");
                    return service.rawVersion(subject, p.get(3));
                }
                break;
            case "schemas":
                if (n == 2 && "types".equals(p.get(1))) {
                    requireMethod(method, "GET");
                    return RegistryService.JSON.createArrayNode().add("AVRO");
                }
                if (n >= 3 && "ids".equals(p.get(1))) {
                    requireMethod(method, "GET");
                    int id = schemaId(p.get(2));
                    if (n == 3) {
                        return service.schemaById(id);
                    }
                    if (n == 4 && "schema".equals(p.get(3))) {
                        return service.rawSchemaById(id);
                    }
                    if (n == 4 && "versions".equals(p.get(3))) {
                        return service.subjectVersionsOfId(id);
                    }
                }
                break;
            case "compatibility":
                if (n == 5 && "subjects".equals(p.get(1)) && "versions".equals(p.get(3))) {
                    requireMethod(method, "POST");
                    return service.testCompatibility(p.get(2), p.get(4), body(exchange),
                        "true".equals(query.get("verbose")));
                }
                break;
            case "config":
                if (n == 1) {
                    if ("PUT".equals(method)) {
                        return service.updateConfig(null, body(exchange));
                    }
                    requireMethod(method, "GET");
                    return service.globalConfig();
                }
                if (n == 2) {
                    if ("PUT".equals(method)) {
                        return service.updateConfig(p.get(1), body(exchange));
                    }
                    if ("DELETE".equals(method)) {
                        return service.deleteSubjectConfig(p.get(1));
                    }
                    requireMethod(method, "GET");
                    return service.subjectConfig(p.get(1), "true".equals(query.get("defaultToGlobal")));
                }
                break;
            default:
                break;
        }
        throw new RegistryApiError(404, ErrorCodes.NOT_FOUND, "HTTP 404 Not Found");
    }

    private static void requireMethod(String actual, String expected) {
        if (!expected.equals(actual)) {
            throw new MethodNotAllowed();
        }
    }

    private static int schemaId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryApiError.schemaNotFound("Schema " + text + " not found (ids are integers)");
        }
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new RegistryApiError(422, ErrorCodes.UNPROCESSABLE_ENTITY,
                "Request body larger than " + MAX_BODY_BYTES + " bytes");
        }
        try {
            JsonNode node = RegistryService.JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new RegistryApiError(400, 400, "Expected a JSON object as request body, found "
                    + (node == null ? "nothing" : node.getNodeType()));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new RegistryApiError(400, 400, "Request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Splits a raw path into decoded segments ('+' is a literal plus in a path, not a space). */
    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        if (rawPath == null) {
            return segments;
        }
        for (String raw : rawPath.split("/")) {
            if (!raw.isEmpty()) {
                try {
                    segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new RegistryApiError(404, ErrorCodes.NOT_FOUND,
                        "HTTP 404 Not Found (bad percent-encoding in path segment '" + raw + "')");
                }
            }
        }
        return segments;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}
