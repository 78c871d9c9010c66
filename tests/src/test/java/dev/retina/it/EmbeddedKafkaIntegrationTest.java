package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.cli.embedded.EmbeddedKafkaException;
import dev.retina.cli.embedded.EmbeddedKafkaException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A single combined KRaft node: serving, configuration overrides, persistence and lifecycle. */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaIntegrationTest {

    private static final int MAX_MESSAGE_BYTES = 200_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startNode() {
        kafka = EmbeddedKafka.builder().optConfig("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES)).start();
    }

    @AfterAll
    static void stopNode() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void producesAndConsumesRecords() throws Exception {
        createTopic(kafka.bootstrapServers(), "plain", 3);
        try (KafkaProducer<String, String> producer = KafkaClients.producer(kafka.bootstrapServers(),
                new StringSerializer(), new StringSerializer(), Map.of())) {
            for (int i = 0; i < 12; i++) {
                producer.send(new ProducerRecord<>("plain", "k" + i, "v" + i)).get();
            }
        }

        List<ConsumerRecord<String, String>> read = KafkaClients.readFromStart(kafka.bootstrapServers(), "plain", 12,
                new StringDeserializer(), new StringDeserializer(), READ_TIMEOUT);

        assertThat(read).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11");
        assertThat(kafka.brokerIds()).containsExactly(EmbeddedKafka.FIRST_BROKER_ID);
        assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + kafka.brokerPort(1));
    }

    @Test
    void brokerConfigOverrideIsEnforced() throws Exception {
        createTopic(kafka.bootstrapServers(), "sized", 1);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                new ByteArraySerializer(), new ByteArraySerializer(), Map.of())) {
            producer.send(new ProducerRecord<>("sized", new byte[MAX_MESSAGE_BYTES / 2])).get();

            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("sized", new byte[MAX_MESSAGE_BYTES + 1])).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);
        }
        assertThat(KafkaClients.readFromStart(kafka.bootstrapServers(), "sized", 1, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), READ_TIMEOUT)).hasSize(1);
    }

    @Test
    void unknownBrokerIdIsRejectedWithTheKnownIds() {
        assertThatThrownBy(() -> kafka.stopBroker(7))
                .isInstanceOf(EmbeddedKafkaException.class)
                .satisfies(e -> assertThat(((EmbeddedKafkaException) e).reason()).isEqualTo(Reason.UNKNOWN_NODE))
                .hasMessageContaining("no broker with node id 7; brokers are [1]");
    }

    @Test
    void temporaryStorageIsDeletedOnCloseAndCloseIsIdempotent() {
        EmbeddedKafka own = EmbeddedKafka.builder().start();
        Path dir = own.dataDir();
        assertThat(dir).isDirectory();

        own.close();
        own.close();

        assertThat(dir).doesNotExist();
        assertThat(own.isRunning(EmbeddedKafka.FIRST_BROKER_ID)).isFalse();
        assertThatThrownBy(() -> own.restartBroker(EmbeddedKafka.FIRST_BROKER_ID))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("embedded Kafka cluster is closed");
    }

    @Test
    void dataDirectoryKeepsClusterTopicsRecordsAndPortAcrossRestart(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("kafka");
        String clusterId;
        int port;
        try (EmbeddedKafka first = EmbeddedKafka.builder().optDataDir(dataDir).start()) {
            clusterId = first.clusterId();
            port = first.brokerPort(EmbeddedKafka.FIRST_BROKER_ID);
            createTopic(first.bootstrapServers(), "kept", 2);
            try (KafkaProducer<String, String> producer = KafkaClients.producer(first.bootstrapServers(),
                    new StringSerializer(), new StringSerializer(), Map.of())) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("kept", "k" + i, "before-restart-" + i)).get();
                }
            }

            // The directory is in use: a second cluster on it must not start (its remembered port is taken).
            assertThatThrownBy(() -> EmbeddedKafka.builder().optDataDir(dataDir).start())
                    .isInstanceOf(EmbeddedKafkaException.class)
                    .hasMessageContaining("PORT_IN_USE")
                    .hasMessageContaining("another broker running on this data directory");
        }
        assertThat(dataDir.resolve("embedded-kafka.properties")).isRegularFile();
        assertThat(Files.list(dataDir.resolve("node-1")).map(p -> p.getFileName().toString()))
                .contains("meta.properties");

        try (EmbeddedKafka second = EmbeddedKafka.builder().optDataDir(dataDir).start()) {
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(second.brokerPort(EmbeddedKafka.FIRST_BROKER_ID)).isEqualTo(port);
            try (Admin admin = KafkaClients.admin(second.bootstrapServers())) {
                assertThat(admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept").partitions())
                        .hasSize(2);
            }
            List<ConsumerRecord<String, String>> read = KafkaClients.readFromStart(second.bootstrapServers(),
                    "kept", 5, new StringDeserializer(), new StringDeserializer(), READ_TIMEOUT);
            assertThat(read).extracting(ConsumerRecord::value).containsExactlyInAnyOrder(
                    "before-restart-0", "before-restart-1", "before-restart-2", "before-restart-3",
                    "before-restart-4");
        }
        assertThat(dataDir).isDirectory();
    }

    @Test
    void restartedCombinedNodeServesItsEarlierRecords() throws Exception {
        try (EmbeddedKafka own = EmbeddedKafka.builder().start()) {
            createTopic(own.bootstrapServers(), "survivor", 1);
            try (KafkaProducer<String, String> producer = KafkaClients.producer(own.bootstrapServers(),
                    new StringSerializer(), new StringSerializer(), Map.of())) {
                producer.send(new ProducerRecord<>("survivor", "k", "v")).get();
            }

            own.stopBroker(EmbeddedKafka.FIRST_BROKER_ID);
            assertThat(own.isRunning(EmbeddedKafka.FIRST_BROKER_ID)).isFalse();
            own.restartBroker(EmbeddedKafka.FIRST_BROKER_ID);

            assertThat(own.isRunning(EmbeddedKafka.FIRST_BROKER_ID)).isTrue();
            assertThat(KafkaClients.readFromStart(own.bootstrapServers(), "survivor", 1, new StringDeserializer(),
                    new StringDeserializer(), READ_TIMEOUT)).extracting(ConsumerRecord::value).containsExactly("v");
        }
    }

    @Test
    void ipv6LiteralHostIsBracketedForClients() throws Exception {
        assumeTrue(ipv6LoopbackAvailable(), "no IPv6 loopback on this machine");
        try (EmbeddedKafka own = EmbeddedKafka.builder().optHost("::1").start()) {
            assertThat(own.bootstrapServers()).isEqualTo("[::1]:" + own.brokerPort(EmbeddedKafka.FIRST_BROKER_ID));
            createTopic(own.bootstrapServers(), "v6", 1);
            try (KafkaProducer<String, String> producer = KafkaClients.producer(own.bootstrapServers(),
                    new StringSerializer(), new StringSerializer(), Map.of())) {
                producer.send(new ProducerRecord<>("v6", "k", "over ipv6")).get();
            }
            assertThat(KafkaClients.readFromStart(own.bootstrapServers(), "v6", 1, new StringDeserializer(),
                    new StringDeserializer(), READ_TIMEOUT)).extracting(ConsumerRecord::value)
                    .containsExactly("over ipv6");
        }
    }

    private static boolean ipv6LoopbackAvailable() {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress("::1", 0));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void createTopic(String bootstrap, String name, int partitions) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }
}
