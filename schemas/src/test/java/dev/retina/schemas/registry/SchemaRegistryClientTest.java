package dev.retina.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client behaviour against a stub server: headers, retries, failover, error mapping, caching. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchemaRegistryClientTest {

    private static final Schema SCHEMA = Schema.create(Schema.Type.STRING);
    private StubHttpServer stub;

    @BeforeEach
    void start() throws IOException {
        stub = new StubHttpServer();
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private SchemaRegistryClient client(int retries) {
        return new SchemaRegistryClient(SchemaRegistryConfig.builder().setUrls(stub.url())
            .optMaxRetries(retries).optRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(4)).build());
    }

    @Test
    void sendsTheRegistryMediaTypeAndTheSchemaAsAJsonString() {
        stub.answer(200, "{\"id\":5}");
        assertThat(client(0).register("t-value", SCHEMA)).isEqualTo(5);
        StubHttpServer.Seen seen = stub.requests().get(0);
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.path()).isEqualTo("/subjects/t-value/versions");
        assertThat(seen.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(seen.accept()).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(seen.body()).isEqualTo("{\"schema\":\"\\\"string\\\"\"}");
        assertThat(seen.authorization()).isNull();
    }

    @Test
    void sendsBasicAuthentication() {
        stub.answer(200, "[\"a\"]");
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder().setUrls(stub.url())
            .optBasicAuthUserInfo("user:pass").build());
        assertThat(client.listSubjects()).containsExactly("a");
        assertThat(stub.requests().get(0).authorization()).isEqualTo("Basic dXNlcjpwYXNz");
    }

    @Test
    void retriesServerErrorsWithBackoff() {
        stub.answer(503, "busy").answer(500, "{\"error_code\":50001,\"message\":\"store\"}").answer(200, "{\"id\":7}");
        assertThat(client(3).register("t-value", SCHEMA)).isEqualTo(7);
        assertThat(stub.requests()).hasSize(3);
    }

    @Test
    void givesUpAfterTheConfiguredRetries() {
        stub.answer(500, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");
        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
            () -> client(2).getById(1));
        assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.SERVER_ERROR);
        assertThat(e.errorCode()).isEqualTo(50001);
        assertThat(e.getMessage()).contains("backend data store").contains("/schemas/ids/1");
        assertThat(e.isRetriable()).isTrue();
        assertThat(stub.requests()).hasSize(3);
    }

    @Test
    void clientErrorsAreNotRetried() {
        stub.answer(404, "{\"error_code\":40403,\"message\":\"Schema 1 not found\"}");
        assertThat(catchThrowableOfType(SchemaNotFoundException.class, () -> client(3).getById(1)).errorCode())
            .isEqualTo(40403);
        assertThat(stub.requests()).hasSize(1);
    }

    @Test
    void unreachableRegistryAfterRetries() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder()
            .setUrls("http://localhost:" + closedPort).optMaxRetries(1)
            .optRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).build());
        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, client::listSubjects);
        assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.UNREACHABLE);
        assertThat(e.errorCode()).isEqualTo(-1);
        assertThat(e.getMessage()).contains(String.valueOf(closedPort));
    }

    @Test
    void failsOverToTheNextUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        stub.answer(200, "[]");
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder()
            .setUrls("http://localhost:" + closedPort + "," + stub.url()).optMaxRetries(1)
            .optRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).build());
        assertThat(client.listSubjects()).isEmpty();
        assertThat(client.listSubjects()).isEmpty();
        assertThat(stub.requests()).as("the working URL is remembered").hasSize(2);
    }

    @Test
    void mapsConfluentErrorCodesToTypes() {
        expect(404, 40401, SubjectNotFoundException.class, SchemaRegistryException.Reason.SUBJECT_NOT_FOUND);
        expect(404, 40402, VersionNotFoundException.class, SchemaRegistryException.Reason.VERSION_NOT_FOUND);
        expect(404, 40403, SchemaNotFoundException.class, SchemaRegistryException.Reason.SCHEMA_NOT_FOUND);
        expect(409, 409, IncompatibleSchemaException.class, SchemaRegistryException.Reason.INCOMPATIBLE);
        expect(422, 42201, InvalidSchemaException.class, SchemaRegistryException.Reason.INVALID_SCHEMA);
        expect(422, 42203, SchemaRegistryException.class,
            SchemaRegistryException.Reason.INVALID_COMPATIBILITY_LEVEL);
        expect(401, 401, SchemaRegistryException.class, SchemaRegistryException.Reason.UNAUTHORIZED);
        expect(400, 400, SchemaRegistryException.class, SchemaRegistryException.Reason.BAD_REQUEST);
    }

    private void expect(int status, int code, Class<? extends SchemaRegistryException> type,
                        SchemaRegistryException.Reason reason) {
        try (StubHttpServer server = new StubHttpServer()) {
            server.answer(status, "{\"error_code\":" + code + ",\"message\":\"m" + code + "\"}");
            SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                () -> SchemaRegistryClient.forUrl(server.url()).register("s", SCHEMA));
            assertThat(e).isInstanceOf(type);
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.errorCode()).isEqualTo(code);
            assertThat(e.httpStatus()).isEqualTo(status);
            assertThat(e.getMessage()).contains("m" + code);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nonJsonErrorBodiesKeepTheirText() {
        stub.answer(502, "<html>Bad Gateway</html>");
        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client(0).getById(3));
        assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.SERVER_ERROR);
        assertThat(e.errorCode()).isEqualTo(502);
        assertThat(e.getMessage()).contains("Bad Gateway");
    }

    @Test
    void malformedSuccessAnswersAreBadResponses() {
        stub.answer(200, "not json");
        assertThat(catchThrowableOfType(SchemaRegistryException.class, () -> client(0).getById(1)).reason())
            .isEqualTo(SchemaRegistryException.Reason.BAD_RESPONSE);
        stub.close();
        try (StubHttpServer other = new StubHttpServer()) {
            other.answer(200, "{\"schema\":\"{not avro\"}");
            SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                () -> SchemaRegistryClient.forUrl(other.url()).getById(1));
            assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.BAD_RESPONSE);
            assertThat(e.getMessage()).contains("unparseable Avro schema");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cachesIdsAndSchemas() {
        stub.answer(200, "{\"id\":9}");
        SchemaRegistryClient client = client(0);
        assertThat(client.register("t-value", SCHEMA)).isEqualTo(9);
        assertThat(client.register("t-value", SCHEMA)).isEqualTo(9);
        assertThat(client.getById(9)).as("registered schemas are known by id").isEqualTo(SCHEMA);
        assertThat(stub.requests()).hasSize(1);
        assertThat(client.register("u-value", SCHEMA)).isEqualTo(9);
        assertThat(stub.requests()).as("the cache is per subject").hasSize(2);
    }

    @Test
    void encodesSubjectsAsPathSegments() {
        stub.answer(200, "[1]");
        assertThat(client(0).versions("a b/c+d")).isEqualTo(List.of(1));
        assertThat(stub.requests().get(0).path()).isEqualTo("/subjects/a%20b%2Fc%2Bd/versions");
    }
}
