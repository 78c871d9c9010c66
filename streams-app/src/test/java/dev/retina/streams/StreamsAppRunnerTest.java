package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.model.ModelPackageException;
import dev.retina.streams.errors.DeadLetterDeserializationHandler;
import dev.retina.streams.errors.DeadLetterProcessingHandler;
import dev.retina.streams.errors.DeadLetterWriter;
import dev.retina.streams.metrics.PipelineMetrics;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the runner derives from the configuration, and its start-up refusals that need no broker. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamsAppRunnerTest {

    @Test
    void streamsPropertiesCarryGuaranteeHandlersAndPassThrough() {
        AppConfig config = AppConfig.of(Map.of(
            AppConfig.APPLICATION_ID, "retina-test",
            AppConfig.BOOTSTRAP_SERVERS, "broker:9093",
            AppConfig.STREAM_THREADS, "3",
            AppConfig.INSTANCE_ID, "node-1",
            AppConfig.DLQ_TOPIC, "dead",
            "kafka.commit.interval.ms", "100",
            "security.protocol", "SSL",
            "basic.auth.user.info", "u:p"));
        Properties p = StreamsAppRunner.streamsProperties(config);
        assertThat(p).containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "retina-test")
            .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9093")
            .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
            .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 3)
            .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterDeserializationHandler.class)
            .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class)
            .containsEntry(DeadLetterWriter.DLQ_TOPIC_CONFIG, "dead")
            .containsEntry(DeadLetterWriter.INSTANCE_ID_CONFIG, "node-1")
            .containsEntry("commit.interval.ms", "100")
            .containsEntry("security.protocol", "SSL")
            .containsEntry("schema.registry.url", "http://localhost:8081")
            .containsEntry("basic.auth.user.info", "u:p")
            .containsEntry("producer.max.request.size", Long.toString(9L * 1024 * 1024));
        // Kafka Streams accepts the whole map.
        assertThat(new StreamsConfig(p).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
            .isEqualTo("exactly_once_v2");
    }

    @Test
    void metricsReachTheHandlersThroughTheConfiguration() {
        AppConfig config = AppConfig.of(Map.of());
        try (PipelineMetrics metrics = PipelineMetrics.prometheus("node-1")) {
            assertThat(StreamsAppRunner.streamsProperties(config, metrics)).containsEntry(PipelineMetrics.CONFIG_KEY,
                metrics);
            assertThat(StreamsAppRunner.streamsProperties(config)).doesNotContainKey(PipelineMetrics.CONFIG_KEY);
        }
    }

    @Test
    void explicitRequestSizeWins() {
        AppConfig config = AppConfig.of(Map.of("kafka.producer.max.request.size", "2000000"));
        assertThat(StreamsAppRunner.streamsProperties(config)).containsEntry("producer.max.request.size", "2000000");
    }

    @Test
    void topicsToEnsureAllowTheLargestImage() {
        AppConfig config = AppConfig.of(Map.of(AppConfig.MAX_IMAGE_BYTES, Long.toString(20L * 1024 * 1024)));
        assertThat(StreamsAppRunner.wantedTopics(config)).extracting(TopicSetup.Wanted::name)
            .containsExactly("images", "image-classifications", "images-dlq", "image-stats");
        assertThat(StreamsAppRunner.wantedTopics(config).get(0).configs())
            .containsEntry("max.message.bytes", Long.toString(21L * 1024 * 1024));
        assertThat(StreamsAppRunner.wantedTopics(config).get(1).configs()).isEmpty();
        AppConfig withoutStats = AppConfig.of(Map.of(AppConfig.STATS_ENABLED, "false"));
        assertThat(StreamsAppRunner.wantedTopics(withoutStats)).extracting(TopicSetup.Wanted::name)
            .containsExactly("images", "image-classifications", "images-dlq");
    }

    @Test
    void adminGetsSecuritySettingsButNotStreamsOnes() {
        AppConfig config = AppConfig.of(Map.of(
            "security.protocol", "SASL_SSL",
            "kafka.commit.interval.ms", "100",
            "kafka.admin.request.timeout.ms", "5000"));
        assertThat(StreamsAppRunner.adminProperties(config))
            .containsEntry("security.protocol", "SASL_SSL")
            .containsEntry("request.timeout.ms", "5000")
            .containsEntry("bootstrap.servers", "localhost:9092")
            .doesNotContainKey("commit.interval.ms");
    }

    @Test
    void startWithoutModelDirIsRefused() {
        assertThatThrownBy(() -> StreamsAppRunner.start(AppConfig.of(Map.of())))
            .isInstanceOf(AppConfigException.class)
            .hasMessageContaining("model.dir is not set")
            .hasMessageContaining("model.onnx");
    }

    @Test
    void startWithMissingModelPackageIsRefusedBeforeTouchingKafka(@TempDir Path empty) {
        AppConfig config = AppConfig.of(Map.of(AppConfig.MODEL_DIR, empty.toString(),
            AppConfig.BOOTSTRAP_SERVERS, "unreachable.invalid:9092"));
        assertThatThrownBy(() -> StreamsAppRunner.start(config))
            .isInstanceOf(ModelPackageException.class)
            .hasMessageContaining("MISSING_FILE")
            .hasMessageContaining("model.onnx");
    }
}
