package dev.retina.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import java.net.URI;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AvroSerdeConfigTest {

    @Test
    void readsTheKafkaStyleKeys() {
        Map<String, Object> map = new HashMap<>();
        map.put("schema.registry.url", "http://a:8081, http://b:8081");
        map.put("basic.auth.user.info", "user:secret");
        map.put("schema.registry.request.timeout.ms", "1500");
        map.put("schema.registry.max.retries", 5);
        map.put("auto.register.schemas", "false");
        map.put("bootstrap.servers", "unrelated:9092");
        SchemaRegistryConfig config = SchemaRegistryConfig.fromKafkaConfig(map);
        assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"));
        assertThat(config.basicAuthUserInfo()).isEqualTo("user:secret");
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.maxRetries()).isEqualTo(5);
        assertThat(config.sslContext()).isNull();
        assertThat(config.toString()).doesNotContain("secret");
        assertThat(new AvroSerdeConfig(map).autoRegisterSchemas()).isFalse();
    }

    @Test
    void aliasAndUrlCredentials() {
        assertThat(SchemaRegistryConfig.fromKafkaConfig(Map.of("schema.registry.url", "http://r:1",
            "schema.registry.basic.auth.user.info", "u:p")).basicAuthUserInfo()).isEqualTo("u:p");
        SchemaRegistryConfig fromUrl = SchemaRegistryConfig.fromKafkaConfig(Map.of(
            "schema.registry.url", "https://u:p@r:8443/base", "basic.auth.credentials.source", "URL"));
        assertThat(fromUrl.basicAuthUserInfo()).isEqualTo("u:p");
        assertThat(fromUrl.urls()).containsExactly(URI.create("https://r:8443/base"));
        assertThatThrownBy(() -> SchemaRegistryConfig.fromKafkaConfig(Map.of("schema.registry.url", "http://r:1",
            "basic.auth.credentials.source", "URL")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("user:password@");
    }

    @Test
    void rejectsMissingOrInvalidSettings() {
        assertThatThrownBy(() -> SchemaRegistryConfig.fromKafkaConfig(Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> SchemaRegistryConfig.fromKafkaConfig(Map.of("schema.registry.url", "ftp://r")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http(s)://");
        assertThatThrownBy(() -> SchemaRegistryConfig.fromKafkaConfig(Map.of("schema.registry.url", "http://r:1",
            "schema.registry.max.retries", "-1"))).isInstanceOf(ConfigException.class)
            .hasMessageContaining("schema.registry.max.retries");
        assertThatThrownBy(() -> SchemaRegistryConfig.builder().build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found none");
        assertThatThrownBy(() -> SchemaRegistryConfig.builder().setUrls("http://r:1").optBasicAuthUserInfo("nocolon")
            .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user:password");
    }

    @Test
    void loadsTrustAndKeyStores(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("trust.p12");
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (OutputStream out = Files.newOutputStream(store)) {
            empty.store(out, "changeit".toCharArray());
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.fromKafkaConfig(Map.of(
            "schema.registry.url", "https://r:8443",
            "schema.registry.ssl.truststore.location", store.toString(),
            "schema.registry.ssl.truststore.password", "changeit",
            "schema.registry.ssl.keystore.location", store.toString(),
            "schema.registry.ssl.keystore.password", "changeit"));
        assertThat(config.sslContext()).isNotNull();
        assertThat(SchemaRegistryClient.fromKafkaConfig(Map.of("schema.registry.url", "https://r:8443",
            "schema.registry.ssl.truststore.location", store.toString(),
            "schema.registry.ssl.truststore.password", "changeit")).config().sslContext()).isNotNull();

        assertThatThrownBy(() -> SchemaRegistryConfig.fromKafkaConfig(Map.of("schema.registry.url", "https://r:8443",
            "schema.registry.ssl.truststore.location", store.toString(),
            "schema.registry.ssl.truststore.password", "wrong")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("truststore.location");
        assertThatThrownBy(() -> SchemaRegistryConfig.fromKafkaConfig(Map.of("schema.registry.url", "https://r:8443",
            "schema.registry.ssl.truststore.location", dir.resolve("missing.p12").toString())))
            .isInstanceOf(ConfigException.class).hasMessageContaining("missing.p12");
    }

    @Test
    void configTableDocumentsEveryKey() {
        for (String key : List.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS,
            AvroSerdeConfig.TRUSTSTORE_LOCATION, AvroSerdeConfig.BASIC_AUTH_USER_INFO)) {
            assertThat(AvroSerdeConfig.CONFIG.configKeys().get(key).documentation).isNotBlank();
        }
    }
}
