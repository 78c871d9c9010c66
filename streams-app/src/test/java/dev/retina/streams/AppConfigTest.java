package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AppConfigTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("retina.properties");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void defaultsMatchTheDesign() {
        AppConfig c = AppConfig.of(Map.of());
        assertThat(c.applicationId()).isEqualTo("retina-classifier");
        assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(c.schemaRegistryUrl()).isEqualTo("http://localhost:8081");
        assertThat(c.inputTopic()).isEqualTo("images");
        assertThat(c.outputTopic()).isEqualTo("image-classifications");
        assertThat(c.dlqTopic()).isEqualTo("images-dlq");
        assertThat(c.statsTopic()).isEqualTo("image-stats");
        assertThat(c.modelsTopic()).isEqualTo("models");
        assertThat(c.topK()).isEqualTo(5);
        assertThat(c.engineThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.streamThreads()).isEqualTo(1);
        assertThat(c.modelDir()).isEmpty();
        assertThat(c.processingGuarantee()).isEqualTo("exactly_once_v2");
        assertThat(c.inferenceTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.instanceId()).isNotBlank().contains("-" + ProcessHandle.current().pid());
        assertThat(c.maxImageBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(c.maxImagePixels()).isEqualTo(40_000_000L);
        assertThat(c.topicPartitions()).isEqualTo(3);
        assertThat(c.topicReplicationFactor()).isEmpty();
        assertThat(c.createTopics()).isTrue();
        assertThat(c.httpHost()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).contains(8080);
        assertThat(AppConfig.of(Map.of(AppConfig.HTTP_PORT, "-1")).httpPort()).isEmpty();
        assertThat(c.kafkaSettings()).isEmpty();
        assertThat(c.registrySettings()).containsExactly(Map.entry("schema.registry.url", "http://localhost:8081"));
        assertThat(c.source(AppConfig.TOP_K)).isEqualTo(AppConfig.Source.DEFAULT);
    }

    @Test
    void layersOverrideInOrderFileThenEnvironmentThenOverrides() throws IOException {
        Path f = file("""
            # a comment
            input.topic=cam-images
            output.topic=cam-results
            top.k=3
            model.dir=models/shapes/1
            processing.guarantee=at_least_once
            """);
        Map<String, String> env = Map.of(
            "RETINA_OUTPUT_TOPIC", "env-results",
            "RETINA_TOP_K", "4",
            "RETINA_STREAM_THREADS", "2",
            "PATH", "/usr/bin",
            "RETINA_SKIP_BUILD", "1");
        AppConfig c = AppConfig.load(f, env, Map.of(AppConfig.TOP_K, "7"));
        assertThat(c.inputTopic()).isEqualTo("cam-images");
        assertThat(c.source(AppConfig.INPUT_TOPIC)).isEqualTo(AppConfig.Source.FILE);
        assertThat(c.outputTopic()).isEqualTo("env-results");
        assertThat(c.source(AppConfig.OUTPUT_TOPIC)).isEqualTo(AppConfig.Source.ENVIRONMENT);
        assertThat(c.topK()).isEqualTo(7);
        assertThat(c.source(AppConfig.TOP_K)).isEqualTo(AppConfig.Source.OVERRIDE);
        assertThat(c.streamThreads()).isEqualTo(2);
        assertThat(c.modelDir()).isEqualTo(Optional.of(Path.of("models/shapes/1")));
        assertThat(c.processingGuarantee()).isEqualTo("at_least_once");
    }

    @Test
    void passThroughKeysReachKafkaAndTheRegistry() throws IOException {
        Path f = file("""
            kafka.commit.interval.ms=100
            security.protocol=SASL_SSL
            sasl.mechanism=PLAIN
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
            ssl.truststore.location=/etc/kafka/truststore.p12
            basic.auth.user.info=user:secret
            schema.registry.ssl.truststore.location=/etc/registry/truststore.p12
            """);
        AppConfig c = AppConfig.load(f, Map.of("RETINA_KAFKA_MAX_POLL_RECORDS", "50"), Map.of());
        assertThat(c.kafkaSettings())
            .containsEntry("commit.interval.ms", "100")
            .containsEntry("max.poll.records", "50")
            .containsEntry("security.protocol", "SASL_SSL")
            .containsEntry("sasl.mechanism", "PLAIN")
            .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
            .containsKey("sasl.jaas.config");
        assertThat(c.registrySettings())
            .containsEntry("basic.auth.user.info", "user:secret")
            .containsEntry("schema.registry.ssl.truststore.location", "/etc/registry/truststore.p12")
            .containsEntry("schema.registry.url", "http://localhost:8081");
        assertThat(String.join("\n", c.describe()))
            .contains("kafka.commit.interval.ms=100")
            .contains("kafka.sasl.jaas.config=[hidden]")
            .contains("basic.auth.user.info=[hidden]")
            .doesNotContain("secret")
            .doesNotContain("password=\"p\"");
    }

    @Test
    void unknownKeyInFileIsRefusedWithSuggestion() throws IOException {
        Path f = file("inptu.topic=images\n");
        assertThatThrownBy(() -> AppConfig.load(f, Map.of(), Map.of()))
            .isInstanceOf(AppConfigException.class)
            .hasMessageContaining("Unknown setting inptu.topic=images (from file " + f + ")")
            .hasMessageContaining("did you mean 'input.topic'?")
            .hasMessageContaining("prefixed 'kafka.'")
            .satisfies(e -> assertThat(((AppConfigException) e).key()).isEqualTo("inptu.topic"));
    }

    @Test
    void unknownEnvironmentVariableIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> AppConfig.load(null, Map.of("RETINA_TOPK", "3"), Map.of()))
            .isInstanceOf(AppConfigException.class)
            .hasMessageContaining("topk=3 (from environment variable RETINA_TOPK)")
            .hasMessageContaining("did you mean 'top.k'?");
    }

    @Test
    void badValuesAreRefusedNamingKeySourceAndExpectation() {
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.TOP_K, "five")))
            .isInstanceOf(AppConfigException.class)
            .hasMessageContaining("Invalid setting top.k=five (override)")
            .hasMessageContaining("int");
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.TOP_K, "0")))
            .hasMessageContaining("top.k=0").hasMessageContaining("[1,...,1000]");
        assertThatThrownBy(() -> AppConfig.load(null, Map.of("RETINA_PROCESSING_GUARANTEE", "exactly_once"),
                Map.of()))
            .hasMessageContaining("processing.guarantee=exactly_once (from environment variable "
                + "RETINA_PROCESSING_GUARANTEE)")
            .hasMessageContaining("exactly_once_v2").hasMessageContaining("at_least_once");
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.INPUT_TOPIC, "bad topic!")))
            .hasMessageContaining("input.topic=bad topic!").hasMessageContaining("valid Kafka topic name");
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.TOPIC_REPLICATION_FACTOR, "0")))
            .hasMessageContaining("topic.replication.factor=0").hasMessageContaining("-1");
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.APPLICATION_ID, " ")))
            .hasMessageContaining("application.id").hasMessageContaining("non-empty");
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.TOPICS_CREATE, "maybe")))
            .hasMessageContaining("topics.create=maybe").hasMessageContaining("boolean");
    }

    @Test
    void appOwnedKafkaKeysAreRefusedPointingToTheAppKey() {
        assertThatThrownBy(() -> AppConfig.of(Map.of("kafka.processing.guarantee", "at_least_once")))
            .isInstanceOf(AppConfigException.class)
            .hasMessageContaining("kafka.processing.guarantee")
            .hasMessageContaining("use 'processing.guarantee' instead");
        assertThatThrownBy(() -> AppConfig.of(Map.of("kafka.application.id", "x")))
            .hasMessageContaining("use 'application.id' instead");
    }

    @Test
    void inferenceTimeoutMustStayWellInsideThePollInterval() {
        assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.INFERENCE_TIMEOUT_MS, "200000")))
            .isInstanceOf(AppConfigException.class)
            .hasMessageContaining("inference.timeout.ms=200000 (override)")
            .hasMessageContaining("<= 150000 ms");
        assertThatThrownBy(() -> AppConfig.of(Map.of("kafka.max.poll.interval.ms", "10000")))
            .hasMessageContaining("inference.timeout.ms=10000 (default)")
            .hasMessageContaining("<= 5000 ms");
        AppConfig ok = AppConfig.of(Map.of("kafka.max.poll.interval.ms", "600000",
            AppConfig.INFERENCE_TIMEOUT_MS, "250000"));
        assertThat(ok.inferenceTimeout()).isEqualTo(Duration.ofMillis(250_000));
        assertThatThrownBy(() -> AppConfig.of(Map.of("kafka.max.poll.interval.ms", "soon")))
            .hasMessageContaining("kafka.max.poll.interval.ms=soon").hasMessageContaining("milliseconds");
    }

    @Test
    void unreadableOrMissingFileIsReported() {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> AppConfig.load(missing, Map.of(), Map.of()))
            .isInstanceOf(AppConfigException.class)
            .hasMessageContaining("Cannot read the configuration file " + missing);
    }

    @Test
    void blankModelDirAndInstanceIdFallBack() {
        AppConfig c = AppConfig.of(Map.of(AppConfig.MODEL_DIR, " ", AppConfig.INSTANCE_ID, ""));
        assertThat(c.modelDir()).isEmpty();
        assertThat(c.instanceId()).isNotBlank();
        assertThat(AppConfig.of(Map.of(AppConfig.INSTANCE_ID, "node-7")).instanceId()).isEqualTo("node-7");
    }

    @Test
    void bootstrapServersAcceptALists() {
        AppConfig c = AppConfig.of(Map.of(AppConfig.BOOTSTRAP_SERVERS, "a:9092, b:9092"));
        assertThat(c.bootstrapServers()).isEqualTo("a:9092,b:9092");
        assertThat(c.topicReplicationFactor()).isEmpty();
        assertThat(AppConfig.of(Map.of(AppConfig.TOPIC_REPLICATION_FACTOR, "3")).topicReplicationFactor())
            .contains((short) 3);
    }

    @Test
    void sourceOfAnUnknownKeyIsAnError() {
        assertThatThrownBy(() -> AppConfig.of(Map.of()).source("kafka.acks"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not an application setting: kafka.acks");
    }

    @Test
    void readmeDocumentsEverySetting() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        for (String key : AppConfig.TABLE.names()) {
            assertThat(readme).as("streams-app/README.md documents " + key).contains("| `" + key + "` |");
        }
    }
}
