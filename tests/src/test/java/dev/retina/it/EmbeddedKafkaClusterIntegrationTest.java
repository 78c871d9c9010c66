package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One dedicated controller plus three brokers with {@code min.insync.replicas=2}: replication works,
 * and {@code acks=all} writes keep succeeding with one broker down but are refused with two down.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmbeddedKafkaClusterIntegrationTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startCluster() {
        kafka = EmbeddedKafka.builder()
                .optDedicatedController(3)
                .optConfig("min.insync.replicas", "2")
                .start();
    }

    @AfterAll
    static void stopCluster() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void threeBrokersServeATopicReplicatedThreeTimes() throws Exception {
        assertThat(kafka.brokerIds()).containsExactly(1, 2, 3);
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            assertThat(admin.describeCluster().nodes().get()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
            admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3))).all().get();
            awaitFullIsr(admin, "replicated");
        }
        List<String> sent = produce("replicated", "r", 30, Map.of());

        assertThat(readValues("replicated", 30)).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void acksAllSucceedsWithOneBrokerDownAndIsRefusedWithTwoDown() throws Exception {
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("fault", 3, (short) 3))).all().get();
            awaitFullIsr(admin, "fault");
        }
        List<String> sent = new ArrayList<>(produce("fault", "before", 10, Map.of()));
        try {
            kafka.stopBroker(2);
            sent.addAll(produce("fault", "one-down", 10, Map.of()));
            assertThat(readValues("fault", 20)).containsExactlyInAnyOrderElementsOf(sent);

            kafka.stopBroker(3);
            // Without retries the broker's refusal is reported as is, instead of after the delivery timeout.
            Map<String, Object> noRetries = Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            assertThatThrownBy(() -> produce("fault", "two-down", 1, noRetries))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NotEnoughReplicasException.class);
        } finally {
            kafka.restartBroker(2);
            kafka.restartBroker(3);
        }
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            awaitFullIsr(admin, "fault");
        }
        sent.addAll(produce("fault", "restored", 5, Map.of()));
        assertThat(readValues("fault", 25)).containsExactlyInAnyOrderElementsOf(sent);
    }

    private static List<String> produce(String topic, String prefix, int count, Map<String, Object> extra)
            throws Exception {
        List<String> values = IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
        try (KafkaProducer<String, String> producer = KafkaClients.producer(kafka.bootstrapServers(),
                new StringSerializer(), new StringSerializer(), extra)) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, v, v)).get(30, TimeUnit.SECONDS);
            }
        }
        return values;
    }

    private static List<String> readValues(String topic, int count) {
        return KafkaClients.readFromStart(kafka.bootstrapServers(), topic, count, new StringDeserializer(),
                new StringDeserializer(), READ_TIMEOUT).stream().map(ConsumerRecord::value).toList();
    }

    private static void awaitFullIsr(Admin admin, String topic) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            for (TopicPartitionInfo p : d.partitions()) {
                assertThat(p.isr()).as("ISR of %s-%d", topic, p.partition()).hasSize(3);
            }
        });
    }
}
