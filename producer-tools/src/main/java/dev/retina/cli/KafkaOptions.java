package dev.retina.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Connection options shared by every command that talks to a Kafka cluster and a schema registry.
 * Security settings (SSL, SASL) come from a standard Kafka client properties file or {@code -X}
 * overrides, and are passed to the clients and the registry client unchanged.
 */
public final class KafkaOptions {

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,HOST:PORT...]",
            defaultValue = "${env:RETINA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env RETINA_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = {"-r", "--schema-registry-url"}, paramLabel = "URL",
            defaultValue = "${env:RETINA_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
            description = "Confluent-compatible schema registry (env RETINA_SCHEMA_REGISTRY_URL; default: ${DEFAULT-VALUE}).")
    String schemaRegistryUrl;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, sasl.*, ssl.*, basic.auth.user.info, ...).")
    Path commandConfig;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "Extra Kafka client or registry setting; repeatable; wins over --command-config.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** Client configuration: file, then -X overrides, then the two addresses (which always win). */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        if (commandConfig != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(commandConfig)) {
                file.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --command-config " + commandConfig + ": " + e.getMessage(), e);
            }
            file.forEach((k, v) -> config.put(k.toString(), v.toString()));
        }
        config.putAll(overrides);
        config.put("bootstrap.servers", bootstrapServers);
        config.put("schema.registry.url", schemaRegistryUrl);
        return config;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String schemaRegistryUrl() {
        return schemaRegistryUrl;
    }
}
