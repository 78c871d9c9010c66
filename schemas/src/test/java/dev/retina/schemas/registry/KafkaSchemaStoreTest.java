package dev.retina.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What can be checked without a broker: settings validation and a clear, bounded failure when Kafka is not there.
 * Reading and writing the topic is covered by the broker-backed tests of the tests module.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaSchemaStoreTest {

    @Test
    void validatesItsSettings() {
        assertThatThrownBy(() -> KafkaSchemaStore.builder().build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap servers");
        assertThatThrownBy(() -> KafkaSchemaStore.builder().setBootstrapServers("k:9092").optTopic(" ").build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
        assertThatThrownBy(() -> KafkaSchemaStore.builder().setBootstrapServers("k:9092").optReplicationFactor(-1)
            .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found -1");
        assertThatThrownBy(() -> KafkaSchemaStore.builder().setBootstrapServers("k:9092").optTimeout(Duration.ZERO)
            .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        KafkaSchemaStore store = KafkaSchemaStore.builder().setBootstrapServers("k:9092").build();
        assertThat(store.topic()).isEqualTo("_schemas");
        assertThat(store.describe()).contains("_schemas").contains("k:9092");
        assertThatThrownBy(() -> store.append(new StoreEntry.Config(null, CompatibilityLevel.FULL)))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("before loadAll");
        store.close();
    }

    @Test
    void registryStartFailsClearlyWithinTheTimeoutWhenKafkaIsAbsent() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        KafkaSchemaStore store = KafkaSchemaStore.builder().setBootstrapServers("localhost:" + closedPort)
            .optTimeout(Duration.ofSeconds(2)).build();
        long start = System.nanoTime();
        assertThatThrownBy(() -> EmbeddedSchemaRegistry.builder().optStore(store).start())
            .isInstanceOf(SchemaStoreException.class)
            .hasMessageContaining("localhost:" + closedPort);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
}
