package dev.retina.schemas.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Confluent Schema Registry REST API (Avro schemas), over {@code java.net.http}.
 *
 * <p>Every request sends and accepts {@value #CONTENT_TYPE}. Answers are cached: the id of a schema under a
 * subject (by register and lookup) and the schema of an id; both never change once assigned, so the caches need no
 * expiry. A 5xx answer or a connection failure is retried with exponential backoff, moving on to the next
 * configured URL; anything else fails at once with a {@link SchemaRegistryException} whose subclass and
 * {@link SchemaRegistryException#reason() reason} say what went wrong. Thread-safe.
 */
public final class SchemaRegistryClient {

    /** Media type of the registry's API, version 1. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private final SchemaRegistryConfig config;
    private final HttpClient http;
    private final String authorization;
    private final LruCache<SubjectSchema, Integer> idBySubjectSchema;
    private final LruCache<SubjectSchema, RegisteredSchema> lookupBySubjectSchema;
    private final LruCache<Integer, Schema> schemaById;
    /** Index of the URL that answered last; requests start there. */
    private final AtomicInteger currentUrl = new AtomicInteger();

    private record SubjectSchema(String subject, Schema schema) {
    }

    public SchemaRegistryClient(SchemaRegistryConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        HttpClient.Builder builder = HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .version(HttpClient.Version.HTTP_1_1);
        if (config.sslContext() != null) {
            builder.sslContext(config.sslContext());
        }
        this.http = builder.build();
        this.authorization = config.basicAuthUserInfo() == null ? null : "Basic " + Base64.getEncoder()
            .encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
        this.idBySubjectSchema = new LruCache<>(config.cacheCapacity());
        this.lookupBySubjectSchema = new LruCache<>(config.cacheCapacity());
        this.schemaById = new LruCache<>(config.cacheCapacity());
    }

    /** A client for one URL with default settings. */
    public static SchemaRegistryClient forUrl(String url) {
        return new SchemaRegistryClient(SchemaRegistryConfig.of(url));
    }

    /** A client configured from a Kafka-style map; see {@link AvroSerdeConfig} for the keys. */
    public static SchemaRegistryClient fromKafkaConfig(Map<String, ?> config) {
        return new SchemaRegistryClient(SchemaRegistryConfig.fromKafkaConfig(config));
    }

    public SchemaRegistryConfig config() {
        return config;
    }

    /**
     * Registers a schema under a subject ({@code POST /subjects/{subject}/versions}), or finds it if it is already
     * registered there, and returns its global id.
     *
     * @throws IncompatibleSchemaException when the subject's compatibility level rejects the schema
     * @throws InvalidSchemaException      when the registry cannot parse the schema
     */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = requireInt(answer, "id", "register");
        idBySubjectSchema.put(key, id);
        schemaById.put(id, schema);
        return id;
    }

    /**
     * Finds the version and id of a schema under a subject without registering it ({@code POST /subjects/{subject}}).
     *
     * @throws SubjectNotFoundException when the subject does not exist
     * @throws SchemaNotFoundException  when the schema is not registered under the subject
     */
    public RegisteredSchema lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        RegisteredSchema cached = lookupBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        RegisteredSchema found = registered(answer, subject, "lookup");
        lookupBySubjectSchema.put(key, found);
        idBySubjectSchema.put(key, found.id());
        schemaById.put(found.id(), found.schema());
        return found;
    }

    /**
     * The schema with a global id ({@code GET /schemas/ids/{id}}).
     *
     * @throws SchemaNotFoundException when no schema has this id
     */
    public Schema getById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null);
        requireAvro(answer, "schema " + id);
        Schema schema = parse(requireText(answer, "schema", "get schema " + id), "schema " + id);
        schemaById.put(id, schema);
        return schema;
    }

    /**
     * The latest version of a subject ({@code GET /subjects/{subject}/versions/latest}).
     *
     * @throws SubjectNotFoundException when the subject does not exist
     */
    public RegisteredSchema latest(String subject) {
        JsonNode answer = send("GET", "/subjects/" + encode(requireSubject(subject)) + "/versions/latest", null);
        return registered(answer, subject, "latest version");
    }

    /**
     * One version of a subject ({@code GET /subjects/{subject}/versions/{version}}).
     *
     * @throws SubjectNotFoundException when the subject does not exist
     * @throws VersionNotFoundException when the subject has no such version
     */
    public RegisteredSchema version(String subject, int version) {
        JsonNode answer = send("GET", "/subjects/" + encode(requireSubject(subject)) + "/versions/" + version, null);
        return registered(answer, subject, "version " + version);
    }

    /** The versions of a subject, ascending ({@code GET /subjects/{subject}/versions}). */
    public List<Integer> versions(String subject) {
        JsonNode answer = send("GET", "/subjects/" + encode(requireSubject(subject)) + "/versions", null);
        List<Integer> versions = new ArrayList<>();
        for (JsonNode n : requireArray(answer, "versions of " + subject)) {
            if (!n.canConvertToInt()) {
                throw badResponse("versions of " + subject, "an array of integers", answer);
            }
            versions.add(n.intValue());
        }
        return versions;
    }

    /** All subject names ({@code GET /subjects}). */
    public List<String> listSubjects() {
        JsonNode answer = send("GET", "/subjects", null);
        List<String> subjects = new ArrayList<>();
        for (JsonNode n : requireArray(answer, "subjects")) {
            if (!n.isTextual()) {
                throw badResponse("subjects", "an array of strings", answer);
            }
            subjects.add(n.textValue());
        }
        return subjects;
    }

    /**
     * Whether a schema could be registered under a subject now
     * ({@code POST /compatibility/subjects/{subject}/versions/latest}).
     */
    public boolean testCompatibility(String subject, Schema schema) {
        return checkCompatibility(subject, schema).compatible();
    }

    /** Like {@link #testCompatibility} but also returns the registry's description of each incompatibility. */
    public CompatibilityResult checkCompatibility(String subject, Schema schema) {
        JsonNode answer = send("POST", "/compatibility/subjects/" + encode(requireSubject(subject))
            + "/versions/latest?verbose=true", schemaBody(schema));
        JsonNode flag = answer.get("is_compatible");
        if (flag == null || !flag.isBoolean()) {
            throw badResponse("compatibility of " + subject, "{\"is_compatible\": true|false}", answer);
        }
        List<String> messages = new ArrayList<>();
        JsonNode list = answer.get("messages");
        if (list != null && list.isArray()) {
            list.forEach(m -> messages.add(m.asText()));
        }
        return new CompatibilityResult(flag.booleanValue(), messages);
    }

    /**
     * The compatibility level of a subject ({@code GET /config/{subject}?defaultToGlobal=true}), or the global level
     * when {@code subject} is null ({@code GET /config}).
     */
    public CompatibilityLevel getCompatibility(String subject) {
        String path = subject == null ? "/config" : "/config/" + encode(subject) + "?defaultToGlobal=true";
        JsonNode answer = send("GET", path, null);
        return level(answer, "compatibilityLevel", "config");
    }

    /** Sets the compatibility level of a subject, or the global one when {@code subject} is null. */
    public CompatibilityLevel updateCompatibility(String subject, CompatibilityLevel level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        String path = subject == null ? "/config" : "/config/" + encode(subject);
        return level(send("PUT", path, body), "compatibility", "config update");
    }

    /** Deletes (soft) all versions of a subject and returns them ({@code DELETE /subjects/{subject}}). */
    public List<Integer> deleteSubject(String subject) {
        JsonNode answer = send("DELETE", "/subjects/" + encode(requireSubject(subject)), null);
        List<Integer> versions = new ArrayList<>();
        requireArray(answer, "deleted versions of " + subject).forEach(n -> versions.add(n.asInt()));
        return versions;
    }

    // ---- plumbing ----

    private JsonNode send(String method, String pathAndQuery, JsonNode body) {
        List<URI> urls = config.urls();
        int start = currentUrl.get();
        Duration backoff = config.retryBackoff();
        SchemaRegistryException lastFailure = null;
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            if (attempt > 0) {
                pause(backoff, method, pathAndQuery);
                backoff = min(backoff.multipliedBy(2), config.maxRetryBackoff());
            }
            int index = (start + attempt) % urls.size();
            URI target = resolve(urls.get(index), pathAndQuery);
            HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, "
                    + "application/json; qs=0.5");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                lastFailure = new SchemaRegistryException(SchemaRegistryException.Reason.UNREACHABLE, -1, -1,
                    method + " " + target + " failed: " + e, e);
                LOG.debug("Schema registry request failed (attempt {} of {})", attempt + 1,
                    config.maxRetries() + 1, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(SchemaRegistryException.Reason.INTERRUPTED, -1, -1,
                    "Interrupted during " + method + " " + target, e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                currentUrl.set(index);
                return parseBody(response.body(), method + " " + target);
            }
            SchemaRegistryException failure = errorFrom(status, response.body(), method, target);
            if (!failure.isRetriable()) {
                throw failure;
            }
            lastFailure = failure;
        }
        throw lastFailure;
    }

    private void pause(Duration backoff, String method, String path) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(SchemaRegistryException.Reason.INTERRUPTED, -1, -1,
                "Interrupted while waiting to retry " + method + " " + path, e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static URI resolve(URI base, String pathAndQuery) {
        String text = base.toString();
        if (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text + pathAndQuery);
    }

    private static SchemaRegistryException errorFrom(int status, String body, String method, URI target) {
        int code = status;
        String message = null;
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            if (node != null && node.isObject()) {
                JsonNode c = node.get("error_code");
                if (c != null && c.canConvertToInt()) {
                    code = c.intValue();
                }
                JsonNode m = node.get("message");
                if (m != null && !m.isNull()) {
                    message = m.asText();
                }
            }
        } catch (JsonProcessingException e) {
            // Not JSON (e.g. a proxy's HTML page): the raw body goes into the message below.
        }
        if (message == null) {
            message = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body));
        }
        return SchemaRegistryException.fromResponse(status, code,
            message + " (" + method + " " + target + ", HTTP " + status + ", error code " + code + ")");
    }

    private static JsonNode parseBody(String body, String what) {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            return node == null ? JSON.missingNode() : node;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(SchemaRegistryException.Reason.BAD_RESPONSE, 200, -1,
                "Expected a JSON answer from " + what + ", found: " + abbreviate(body), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_BODY_IN_MESSAGE ? s : s.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }

    private static ObjectNode schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString());
    }

    private static String requireSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("Subject must be a non-empty string, found '" + subject + "'");
        }
        return subject;
    }

    /** Percent-encodes a subject as one path segment (URLEncoder is for forms: '+' must become %20). */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static RegisteredSchema registered(JsonNode answer, String subject, String what) {
        requireAvro(answer, what + " of " + subject);
        String schemaText = requireText(answer, "schema", what + " of " + subject);
        int id = requireInt(answer, "id", what + " of " + subject);
        int version = requireInt(answer, "version", what + " of " + subject);
        JsonNode s = answer.get("subject");
        String name = s != null && s.isTextual() ? s.textValue() : subject;
        return new RegisteredSchema(name, version, id, parse(schemaText, what + " of " + subject));
    }

    private static void requireAvro(JsonNode answer, String what) {
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equals(type.asText())) {
            throw new SchemaRegistryException(SchemaRegistryException.Reason.UNSUPPORTED_SCHEMA_TYPE, 200, -1,
                "Expected an AVRO schema for " + what + ", found schemaType " + type.asText());
        }
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException | NullPointerException e) {
            throw new SchemaRegistryException(SchemaRegistryException.Reason.BAD_RESPONSE, 200, -1,
                "The registry returned an unparseable Avro schema for " + what + ": " + e.getMessage(), e);
        }
    }

    private static int requireInt(JsonNode answer, String field, String what) {
        JsonNode n = answer.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw badResponse(what, "an integer field '" + field + "'", answer);
        }
        return n.intValue();
    }

    private static String requireText(JsonNode answer, String field, String what) {
        JsonNode n = answer.get(field);
        if (n == null || !n.isTextual()) {
            throw badResponse(what, "a string field '" + field + "'", answer);
        }
        return n.textValue();
    }

    private static JsonNode requireArray(JsonNode answer, String what) {
        if (!answer.isArray()) {
            throw badResponse(what, "a JSON array", answer);
        }
        return answer;
    }

    private static CompatibilityLevel level(JsonNode answer, String field, String what) {
        String text = requireText(answer, field, what);
        try {
            return CompatibilityLevel.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SchemaRegistryException(SchemaRegistryException.Reason.BAD_RESPONSE, 200, -1,
                "Unknown compatibility level in " + what + " answer: " + e.getMessage(), e);
        }
    }

    private static SchemaRegistryException badResponse(String what, String expected, JsonNode found) {
        return new SchemaRegistryException(SchemaRegistryException.Reason.BAD_RESPONSE, 200, -1,
            "Expected " + expected + " in the answer to " + what + ", found: " + abbreviate(found.toString()));
    }
}
