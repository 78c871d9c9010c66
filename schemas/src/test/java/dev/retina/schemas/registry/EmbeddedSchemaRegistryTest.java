package dev.retina.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The in-memory registry on a real localhost port, exercised over HTTP with our client and with raw requests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedSchemaRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InMemorySchemaStore store;
    private EmbeddedSchemaRegistry registry;
    private SchemaRegistryClient client;

    @BeforeEach
    void start() {
        store = new InMemorySchemaStore();
        registry = EmbeddedSchemaRegistry.builder().optStore(store).start();
        client = newClient();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private SchemaRegistryClient newClient() {
        return new SchemaRegistryClient(SchemaRegistryConfig.builder().setUrls(registry.url()).optMaxRetries(0)
            .build());
    }

    static Schema record(String fieldsJson) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Thing\",\"namespace\":\"t\",\"fields\":["
            + fieldsJson + "]}");
    }

    private static final Schema V1 = record("{\"name\":\"a\",\"type\":\"string\"}");
    private static final Schema V2_OPTIONAL_ADDED = record("{\"name\":\"a\",\"type\":\"string\"},"
        + "{\"name\":\"b\",\"type\":[\"null\",\"int\"],\"default\":null}");
    private static final Schema V2_REQUIRED_ADDED = record("{\"name\":\"a\",\"type\":\"string\"},"
        + "{\"name\":\"b\",\"type\":\"int\"}");
    private static final Schema V2_REQUIRED_REMOVED = record("");

    @Test
    void sameSchemaGetsTheSameIdEverywhere() {
        int id = client.register("a-value", V1);
        assertThat(newClient().register("a-value", V1)).isEqualTo(id);
        assertThat(newClient().register("b-value", V1)).as("ids are global").isEqualTo(id);
        assertThat(client.versions("a-value")).containsExactly(1);
        assertThat(client.versions("b-value")).containsExactly(1);
        // Same schema written differently (whitespace, attribute order) is the same schema.
        Schema reformatted = new Schema.Parser().parse(
            "{ \"namespace\" : \"t\", \"name\" : \"Thing\", \"fields\" : [ {\"type\":\"string\", \"name\":\"a\"} ],"
                + " \"type\" : \"record\" }");
        assertThat(newClient().register("a-value", reformatted)).isEqualTo(id);
        assertThat(client.getById(id)).isEqualTo(V1);
        assertThat(client.listSubjects()).containsExactly("a-value", "b-value");
    }

    @Test
    void compatibleChangeGetsANewIdAndVersion() {
        int id1 = client.register("a-value", V1);
        int id2 = client.register("a-value", V2_OPTIONAL_ADDED);
        assertThat(id2).isNotEqualTo(id1);
        RegisteredSchema latest = client.latest("a-value");
        assertThat(latest).isEqualTo(new RegisteredSchema("a-value", 2, id2, V2_OPTIONAL_ADDED));
        assertThat(client.version("a-value", 1)).isEqualTo(new RegisteredSchema("a-value", 1, id1, V1));
        assertThat(client.lookup("a-value", V1).version()).isEqualTo(1);
    }

    @Test
    void incompatibleChangeIs409() {
        client.register("a-value", V1);
        IncompatibleSchemaException e = catchThrowableOfType(IncompatibleSchemaException.class,
            () -> client.register("a-value", V2_REQUIRED_ADDED));
        assertThat(e.errorCode()).isEqualTo(409);
        assertThat(e.httpStatus()).isEqualTo(409);
        assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.INCOMPATIBLE);
        assertThat(e.getMessage()).contains("BACKWARD").contains("Thing.b").contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(client.versions("a-value")).containsExactly(1);
        assertThat(client.testCompatibility("a-value", V2_REQUIRED_ADDED)).isFalse();
        assertThat(client.checkCompatibility("a-value", V2_REQUIRED_ADDED).messages()).isNotEmpty();
        assertThat(client.testCompatibility("a-value", V2_OPTIONAL_ADDED)).isTrue();
        assertThat(client.testCompatibility("new-subject", V2_REQUIRED_ADDED)).as("no versions yet").isTrue();
    }

    @Test
    void notFoundCodes() {
        client.register("a-value", V1);
        SubjectNotFoundException subject = catchThrowableOfType(SubjectNotFoundException.class,
            () -> client.latest("missing"));
        assertThat(subject.errorCode()).isEqualTo(40401);
        assertThat(subject.httpStatus()).isEqualTo(404);
        assertThat(catchThrowableOfType(VersionNotFoundException.class, () -> client.version("a-value", 7))
            .errorCode()).isEqualTo(40402);
        assertThat(catchThrowableOfType(SchemaNotFoundException.class, () -> client.getById(999))
            .errorCode()).isEqualTo(40403);
        assertThat(catchThrowableOfType(SchemaNotFoundException.class, () -> client.lookup("a-value",
            V2_OPTIONAL_ADDED)).errorCode()).isEqualTo(40403);
        assertThat(catchThrowableOfType(SubjectNotFoundException.class, () -> client.versions("missing"))
            .errorCode()).isEqualTo(40401);
    }

    @Test
    void configEndpoints() throws Exception {
        assertThat(client.getCompatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(client.getCompatibility("a-value")).as("defaults to global").isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(raw("GET", "/config/a-value", null).path("error_code").asInt()).isEqualTo(40408);

        assertThat(client.updateCompatibility("a-value", CompatibilityLevel.NONE)).isEqualTo(CompatibilityLevel.NONE);
        assertThat(client.getCompatibility("a-value")).isEqualTo(CompatibilityLevel.NONE);
        assertThat(raw("GET", "/config/a-value", null).path("compatibilityLevel").asText()).isEqualTo("NONE");
        client.register("a-value", V1);
        client.register("a-value", V2_REQUIRED_ADDED);
        assertThat(client.versions("a-value")).containsExactly(1, 2);

        assertThat(client.updateCompatibility(null, CompatibilityLevel.FULL)).isEqualTo(CompatibilityLevel.FULL);
        assertThat(client.getCompatibility(null)).isEqualTo(CompatibilityLevel.FULL);
        assertThat(client.getCompatibility("b-value")).isEqualTo(CompatibilityLevel.FULL);

        assertThat(raw("DELETE", "/config/a-value", null).path("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(client.getCompatibility("a-value")).isEqualTo(CompatibilityLevel.FULL);

        HttpResponse<String> bad = send("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}");
        assertThat(bad.statusCode()).isEqualTo(422);
        JsonNode body = JSON.readTree(bad.body());
        assertThat(body.path("error_code").asInt()).isEqualTo(42203);
        assertThat(body.path("message").asText()).contains("SIDEWAYS").contains("BACKWARD_TRANSITIVE");
    }

    @ParameterizedTest
    @EnumSource(CompatibilityLevel.class)
    void everyLevelJudgesAddingAndRemovingRequiredFields(CompatibilityLevel level) {
        client.updateCompatibility("add-value", level);
        client.updateCompatibility("remove-value", level);
        client.register("add-value", V1);
        client.register("remove-value", V1);
        boolean backward = level.name().startsWith("BACKWARD") || level.name().startsWith("FULL");
        boolean forward = level.name().startsWith("FORWARD") || level.name().startsWith("FULL");
        // Adding a required field breaks new readers of old data (backward); removing one breaks old readers.
        assertThat(accepted("add-value", V2_REQUIRED_ADDED)).as("add required under " + level).isEqualTo(!backward);
        assertThat(accepted("remove-value", V2_REQUIRED_REMOVED)).as("remove required under " + level)
            .isEqualTo(!forward);
    }

    @ParameterizedTest
    @EnumSource(CompatibilityLevel.class)
    void transitiveLevelsCheckEveryEarlierVersion(CompatibilityLevel level) {
        // v1 {f: string=""} -> v2 {} -> v3 {f: int=0}: each step is compatible both ways, but v3 and v1 disagree on
        // the type of f, which only a transitive level sees.
        Schema v1 = record("{\"name\":\"f\",\"type\":\"string\",\"default\":\"\"}");
        Schema v2 = record("");
        Schema v3 = record("{\"name\":\"f\",\"type\":\"int\",\"default\":0}");
        client.updateCompatibility("s-value", level);
        client.register("s-value", v1);
        client.register("s-value", v2);
        boolean transitive = level.name().endsWith("_TRANSITIVE");
        assertThat(client.testCompatibility("s-value", v3)).isEqualTo(!transitive);
        assertThat(accepted("s-value", v3)).as("v3 under " + level).isEqualTo(!transitive);
    }

    private boolean accepted(String subject, Schema schema) {
        try {
            client.register(subject, schema);
            return true;
        } catch (IncompatibleSchemaException e) {
            return false;
        }
    }

    @Test
    void compatibilityAgainstOneVersion() throws Exception {
        Schema v1 = record("{\"name\":\"f\",\"type\":\"string\",\"default\":\"\"}");
        client.updateCompatibility("s-value", CompatibilityLevel.NONE);
        client.register("s-value", v1);
        client.register("s-value", record("{\"name\":\"f\",\"type\":\"int\",\"default\":0}"));
        client.updateCompatibility("s-value", CompatibilityLevel.BACKWARD);
        String body = JSON.createObjectNode().put("schema", v1.toString()).toString();
        assertThat(JSON.readTree(send("POST", "/compatibility/subjects/s-value/versions/1", body).body())
            .path("is_compatible").asBoolean()).isTrue();
        assertThat(JSON.readTree(send("POST", "/compatibility/subjects/s-value/versions/2", body).body())
            .path("is_compatible").asBoolean()).isFalse();
        assertThat(JSON.readTree(send("POST", "/compatibility/subjects/s-value/versions/3", body).body())
            .path("error_code").asInt()).isEqualTo(40402);
    }

    @Test
    void idsVersionsAndConfigSurviveARestartOnTheSameStore() {
        int a1 = client.register("a-value", V1);
        int a2 = client.register("a-value", V2_OPTIONAL_ADDED);
        int b1 = client.register("b-value", V2_REQUIRED_REMOVED);
        client.updateCompatibility("b-value", CompatibilityLevel.FORWARD);
        registry.close();

        registry = EmbeddedSchemaRegistry.builder().optStore(store).start();
        SchemaRegistryClient after = newClient();
        assertThat(after.getById(a1)).isEqualTo(V1);
        assertThat(after.getById(b1)).isEqualTo(V2_REQUIRED_REMOVED);
        assertThat(after.latest("a-value")).isEqualTo(new RegisteredSchema("a-value", 2, a2, V2_OPTIONAL_ADDED));
        assertThat(after.register("a-value", V1)).isEqualTo(a1);
        assertThat(after.getCompatibility("b-value")).isEqualTo(CompatibilityLevel.FORWARD);
        int next = after.register("c-value", V2_REQUIRED_ADDED);
        assertThat(next).as("ids continue after the highest").isEqualTo(Math.max(a2, b1) + 1);
    }

    @Test
    void softDeletedSubjectsDisappearButIdsStillResolve() {
        int id = client.register("a-value", V1);
        assertThat(client.deleteSubject("a-value")).containsExactly(1);
        assertThat(client.listSubjects()).isEmpty();
        assertThatThrownBy(() -> client.latest("a-value")).isInstanceOf(SubjectNotFoundException.class);
        assertThat(newClient().getById(id)).isEqualTo(V1);
        assertThat(client.register("a-value", V2_REQUIRED_ADDED)).as("no earlier live version to break").isPositive();
        assertThat(client.versions("a-value")).containsExactly(2);
    }

    @Test
    void rawRoutesAndErrorBodies() throws Exception {
        int id = client.register("my topic+x-value", V1);
        assertThat(client.listSubjects()).containsExactly("my topic+x-value");
        assertThat(new Schema.Parser().parse(send("GET", "/schemas/ids/" + id + "/schema", null).body()))
            .isEqualTo(V1);
        assertThat(new Schema.Parser().parse(send("GET",
            "/subjects/" + SchemaRegistryClient.encode("my topic+x-value") + "/versions/latest/schema", null).body()))
            .isEqualTo(V1);
        assertThat(raw("GET", "/schemas/ids/" + id + "/versions", null).get(0).path("subject").asText())
            .isEqualTo("my topic+x-value");
        assertThat(raw("GET", "/schemas/types", null).get(0).asText()).isEqualTo("AVRO");

        HttpResponse<String> unknown = send("GET", "/nothing/here", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error_code").asInt()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue(SchemaRegistryClient.CONTENT_TYPE);

        assertThat(send("PUT", "/subjects", "{}").statusCode()).isEqualTo(405);

        HttpResponse<String> notJson = send("POST", "/subjects/a-value/versions", "{\"schema\": ");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).path("message").asText()).contains("not valid JSON");

        HttpResponse<String> invalid = send("POST", "/subjects/a-value/versions", "{\"schema\":\"{\\\"type\\\":1}\"}");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(invalid.body()).path("error_code").asInt()).isEqualTo(42201);

        HttpResponse<String> protobuf = send("POST", "/subjects/a-value/versions",
            "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}");
        assertThat(JSON.readTree(protobuf.body()).path("error_code").asInt()).isEqualTo(42201);
        assertThat(JSON.readTree(protobuf.body()).path("message").asText()).contains("PROTOBUF");

        HttpResponse<String> badVersion = send("GET", "/subjects/a-value/versions/zero", null);
        assertThat(JSON.readTree(badVersion.body()).path("error_code").asInt()).isEqualTo(42202);
        assertThat(JSON.readTree(send("GET", "/schemas/ids/abc", null).body()).path("error_code").asInt())
            .isEqualTo(40403);
    }

    @Test
    void concurrentRegistrationsOfOneSchemaCreateOneVersion() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> ids = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                SchemaRegistryClient own = newClient();
                ids.add(pool.submit(() -> {
                    go.await();
                    return own.register("race-value", V1);
                }));
            }
            go.countDown();
            Set<Integer> distinct = ConcurrentHashMap.newKeySet();
            for (Future<Integer> f : ids) {
                distinct.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(distinct).hasSize(1);
            assertThat(client.versions("race-value")).containsExactly(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void bindsTheRequestedPortAndRefusesABusyOne() {
        int port = registry.port();
        assertThat(registry.url()).isEqualTo("http://localhost:" + port);
        assertThatThrownBy(() -> EmbeddedSchemaRegistry.inMemory(port))
            .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining(String.valueOf(port));
    }

    private JsonNode raw(String method, String path, String body) throws Exception {
        return JSON.readTree(send(method, path, body).body());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url() + path))
            .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
