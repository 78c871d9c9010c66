package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.retina.cli.RetinaCli;
import dev.retina.streams.AppConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The docker-compose stack at the repository root, checked without a Docker engine: the services Retina needs are
 * there and wired to each other, every {@code RETINA_*} variable it sets is one the application's own configuration
 * table accepts, image tags are pinned, and the producer's command line is one the CLI parses.
 * (CI additionally runs {@code docker-compose config -q} on the file.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ComposeFileTest {

    /** Where the image puts the repository's {@code models} directory (see the Jib configuration). */
    private static final String IMAGE_MODELS_DIR = "/opt/retina/models/";

    private static Path repositoryRoot;
    private static JsonNode compose;
    private static JsonNode services;

    @BeforeAll
    static void readComposeFile() throws IOException {
        repositoryRoot = findRepositoryRoot();
        compose = new YAMLMapper().readTree(repositoryRoot.resolve("docker-compose.yml").toFile());
        services = compose.path("services");
        assertThat(services.isObject()).as("docker-compose.yml has a services mapping").isTrue();
    }

    @Test
    void everyRetinaVariableIsASettingTheApplicationAccepts() {
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            Map<String, String> env = retinaEnvironment(service.getValue());
            for (Map.Entry<String, String> variable : env.entrySet()) {
                assertThat(AppConfig.IGNORED_ENVIRONMENT)
                        .as("%s sets %s, which the application ignores", service.getKey(), variable.getKey())
                        .doesNotContain(variable.getKey());
                // The application's own loader: it refuses any variable that is no key of its table, no kafka.*
                // pass-through, client security or registry setting, and any value its validators reject.
                assertThatCode(() -> AppConfig.load(null, Map.of(variable.getKey(), variable.getValue()), Map.of()))
                        .as("service %s: %s=%s", service.getKey(), variable.getKey(), variable.getValue())
                        .doesNotThrowAnyException();
                checked.add(service.getKey() + ":" + variable.getKey());
            }
            assertThatCode(() -> AppConfig.load(null, env, Map.of()))
                    .as("service %s: all its RETINA_* variables together", service.getKey())
                    .doesNotThrowAnyException();
        }
        assertThat(checked).as("RETINA_* variables found in the compose file").hasSizeGreaterThanOrEqualTo(10);
    }

    @Test
    void brokerAndRegistryArePinnedAndHaveHealthChecks() {
        JsonNode kafka = service("kafka");
        JsonNode registry = service("schema-registry");
        assertThat(kafka.path("image").asText()).startsWith("apache/kafka:");
        assertThat(registry.path("image").asText()).startsWith("confluentinc/cp-schema-registry:");
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            String image = service.getValue().path("image").asText();
            if (!image.startsWith("retina:")) {
                String tag = image.substring(image.lastIndexOf(':') + 1);
                assertThat(image).as("image of %s", service.getKey()).contains(":");
                assertThat(tag).as("tag of %s", service.getKey()).isNotEqualTo("latest").matches(".*\\d.*");
            }
        }
        assertThat(kafka.path("healthcheck").path("test").isMissingNode()).isFalse();
        assertThat(registry.path("healthcheck").path("test").isMissingNode()).isFalse();
        Map<String, String> kafkaEnv = environment(kafka);
        assertThat(kafkaEnv.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(kafkaEnv).containsKeys("CLUSTER_ID", "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_LOG_DIRS");
        assertThat(dependencyCondition(registry, "kafka")).isEqualTo("service_healthy");
        assertThat(environment(registry).get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"))
                .contains(internalKafkaAddress());
    }

    @Test
    void twoAppInstancesShareOneApplicationIdWithDistinctInstanceIds() {
        List<String> apps = appServices();
        assertThat(apps).as("services running `retina app`").hasSizeGreaterThanOrEqualTo(2);
        Set<String> instanceIds = new java.util.HashSet<>();
        Set<String> applicationIds = new java.util.HashSet<>();
        Set<String> hostPorts = new java.util.HashSet<>();
        for (String name : apps) {
            JsonNode app = service(name);
            assertThat(app.path("image").asText()).as("image of %s", name).startsWith("retina:");
            AppConfig config = AppConfig.load(null, retinaEnvironment(app), Map.of());
            instanceIds.add(config.instanceId());
            applicationIds.add(config.applicationId());
            assertThat(config.bootstrapServers()).as("%s bootstrap servers", name).isEqualTo(internalKafkaAddress());
            assertThat(URI.create(config.schemaRegistryUrl()).getHost()).isEqualTo("schema-registry");
            assertThat(URI.create(config.schemaRegistryUrl()).getPort()).isEqualTo(registryPort());
            assertThat(config.modelDir()).as("%s model.dir", name).isPresent();
            String modelDir = config.modelDir().get().toString();
            assertThat(modelDir).startsWith(IMAGE_MODELS_DIR);
            Path shipped = repositoryRoot.resolve("models").resolve(modelDir.substring(IMAGE_MODELS_DIR.length()));
            assertThat(shipped.resolve("model.onnx")).as("%s serves a model the image ships", name).isRegularFile();
            assertThat(dependencyCondition(app, "kafka")).isEqualTo("service_healthy");
            assertThat(dependencyCondition(app, "schema-registry")).isEqualTo("service_healthy");
            assertThat(app.path("healthcheck").path("test").toString())
                    .as("%s health check asks its own /ready on the configured port", name)
                    .contains("/ready").contains(Integer.toString(config.httpPort().orElseThrow()));
            for (JsonNode port : app.path("ports")) {
                hostPorts.add(port.asText().split(":")[0]);
            }
        }
        assertThat(instanceIds).as("instance ids").hasSize(apps.size());
        assertThat(applicationIds).as("one consumer group for all instances").hasSize(1);
        assertThat(hostPorts).as("host ports of the apps").hasSize(apps.size());
    }

    @Test
    void producerSendsSyntheticImagesWithACommandTheCliAccepts() {
        JsonNode producer = service("retina-producer");
        List<String> command = strings(producer.path("command"));
        assertThat(command).as("producer command").startsWith("produce").contains("--synthetic", "--rate");
        assertThatCode(() -> RetinaCli.newCommandLine().parseArgs(command.toArray(String[]::new)))
                .as("`retina %s` parses", String.join(" ", command))
                .doesNotThrowAnyException();
        Map<String, String> env = retinaEnvironment(producer);
        assertThat(env.get("RETINA_BOOTSTRAP_SERVERS")).isEqualTo(internalKafkaAddress());
        assertThat(dependencyCondition(producer, appServices().get(0)))
                .as("the producer waits until an app has created the topics")
                .isEqualTo("service_healthy");
    }

    @Test
    void prometheusIsOptionalAndScrapesEveryApp() {
        JsonNode prometheus = service("prometheus");
        assertThat(strings(prometheus.path("profiles"))).as("prometheus runs only under a profile").isNotEmpty();
        String command = String.join(" ", strings(prometheus.path("command")));
        assertThat(command).contains("metrics_path: /metrics");
        for (String app : appServices()) {
            int port = AppConfig.load(null, retinaEnvironment(service(app)), Map.of()).httpPort().orElseThrow();
            assertThat(command).as("scrape target of %s", app).contains(app + ":" + port);
        }
    }

    @Test
    void everyNamedVolumeIsDeclaredAndTheBrokerKeepsItsData() {
        Set<String> declared = new java.util.HashSet<>();
        compose.path("volumes").fieldNames().forEachRemaining(declared::add);
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (!source.startsWith(".") && !source.startsWith("/") && !source.startsWith("~")) {
                    assertThat(declared).as("named volume of %s", service.getKey()).contains(source);
                }
            }
        }
        String logDirs = environment(service("kafka")).get("KAFKA_LOG_DIRS");
        assertThat(strings(service("kafka").path("volumes"))).anyMatch(v -> v.endsWith(":" + logDirs));
    }

    private static List<String> appServices() {
        List<String> apps = new ArrayList<>();
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            List<String> command = strings(service.getValue().path("command"));
            if (!command.isEmpty() && command.get(0).equals("app")) {
                apps.add(service.getKey());
            }
        }
        return apps;
    }

    /** host:port of the broker listener advertised to other containers (the one the registry uses). */
    private static String internalKafkaAddress() {
        Map<String, String> env = environment(service("kafka"));
        String interBroker = env.get("KAFKA_INTER_BROKER_LISTENER_NAME");
        for (String listener : env.get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
            String[] parts = listener.split("://");
            if (parts[0].equals(interBroker)) {
                return parts[1];
            }
        }
        throw new AssertionError("expected an advertised listener named " + interBroker + ", found "
                + env.get("KAFKA_ADVERTISED_LISTENERS"));
    }

    private static int registryPort() {
        return URI.create(environment(service("schema-registry")).get("SCHEMA_REGISTRY_LISTENERS")).getPort();
    }

    private static JsonNode service(String name) {
        JsonNode service = services.path(name);
        assertThat(service.isObject()).as("service %s in docker-compose.yml (found %s)", name,
                iterable(services.fieldNames())).isTrue();
        return service;
    }

    private static String dependencyCondition(JsonNode service, String dependency) {
        JsonNode dependsOn = service.path("depends_on");
        assertThat(dependsOn.has(dependency)).as("depends_on %s (found %s)", dependency, dependsOn).isTrue();
        return dependsOn.path(dependency).path("condition").asText("service_started");
    }

    private static Map<String, String> retinaEnvironment(JsonNode service) {
        Map<String, String> retina = new TreeMap<>();
        environment(service).forEach((k, v) -> {
            if (k.startsWith(AppConfig.ENV_PREFIX)) {
                retina.put(k, v);
            }
        });
        return retina;
    }

    /** The environment in either of Compose's forms: a mapping, or a list of NAME=VALUE. */
    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = service.path("environment");
        if (node.isArray()) {
            for (JsonNode item : node) {
                String[] kv = item.asText().split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        } else {
            fields(node).forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        return env;
    }

    private static List<String> strings(JsonNode node) {
        if (node.isTextual()) {
            return Arrays.asList(node.asText().trim().split("\\s+"));
        }
        List<String> values = new ArrayList<>();
        node.forEach(n -> values.add(n.asText()));
        return values;
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        node.fields().forEachRemaining(entries::add);
        return entries;
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    static Path findRepositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new AssertionError("expected docker-compose.yml and pom.xml in the working directory "
                + Path.of("").toAbsolutePath() + " or one of its parents");
    }
}
