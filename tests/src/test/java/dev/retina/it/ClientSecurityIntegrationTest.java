package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.cli.RetinaCli;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application's and the tools' Kafka clients honour client SSL settings: a real KRaft broker with an SSL
 * listener (its certificate self-signed, made by {@code keytool} in the test) serves the app, which creates its
 * topics, classifies images sent by {@code retina produce} over SSL, and writes the results; with a truststore that
 * does not hold the broker's certificate the app refuses to start with a message naming the TLS failure.
 *
 * <p>The broker also has a PLAINTEXT listener, used only as its inter-broker listener.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClientSecurityIntegrationTest {

    private static final String PASSWORD = "retina-test-secret";

    @TempDir
    static Path dir;

    private static KafkaRaftServer broker;
    private static EmbeddedSchemaRegistry registry;
    private static String sslBootstrap;
    private static String plainBootstrap;
    private static Path truststore;
    private static Path wrongTruststore;

    @BeforeAll
    static void startBrokerWithSslListener() throws Exception {
        Path brokerKeystore = dir.resolve("broker.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", brokerKeystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path brokerCert = dir.resolve("broker.crt");
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", brokerKeystore.toString(), "-storepass",
                PASSWORD, "-file", brokerCert.toString());
        truststore = dir.resolve("truststore.p12");
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", brokerCert.toString(), "-storetype",
                "PKCS12", "-keystore", truststore.toString(), "-storepass", PASSWORD);
        // A truststore holding some other self-signed certificate: the broker's cannot be validated with it.
        Path otherKeystore = dir.resolve("other.p12");
        keytool("-genkeypair", "-alias", "other", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-storetype", "PKCS12", "-keystore", otherKeystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path otherCert = dir.resolve("other.crt");
        keytool("-exportcert", "-rfc", "-alias", "other", "-keystore", otherKeystore.toString(), "-storepass",
                PASSWORD, "-file", otherCert.toString());
        wrongTruststore = dir.resolve("wrong-truststore.p12");
        keytool("-importcert", "-noprompt", "-alias", "other", "-file", otherCert.toString(), "-storetype",
                "PKCS12", "-keystore", wrongTruststore.toString(), "-storepass", PASSWORD);

        int plainPort = freePort();
        int sslPort = freePort();
        int controllerPort = freePort();
        Path logs = dir.resolve("kafka-logs");
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + plainPort + ",SSL://localhost:" + sslPort
                + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + plainPort + ",SSL://localhost:" + sslPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL");
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", brokerKeystore.toString());
        p.put("ssl.keystore.password", PASSWORD);
        p.put("ssl.key.password", PASSWORD);
        p.put("log.dirs", logs.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", "10485760");
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        new Formatter().setPrintStream(new PrintStream(formatterOutput, true, StandardCharsets.UTF_8))
                .setClusterId(Uuid.randomUuid().toString()).setNodeId(1)
                .setDirectories(List.of(logs.toString())).setMetadataLogDirectory(logs.toString())
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setControllerListenerName("CONTROLLER")
                .run();
        broker = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        broker.startup();
        sslBootstrap = "localhost:" + sslPort;
        plainBootstrap = "localhost:" + plainPort;
        registry = EmbeddedSchemaRegistry.inMemory(0);
    }

    @AfterAll
    static void stopBroker() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.shutdown();
            broker.awaitShutdown();
        }
    }

    @Test
    void appAndProducerWorkOverSslWithTheRightTruststore() throws Exception {
        AppConfig config = AppConfig.of(appSettings(truststore));
        try (StreamsAppRunner app = PipelineFixture.startApp(config)) {
            Path clientProperties = dir.resolve("client-ssl.properties");
            Files.writeString(clientProperties, String.join("\n",
                    "security.protocol=SSL",
                    "ssl.truststore.type=PKCS12",
                    "ssl.truststore.location=" + truststore,
                    "ssl.truststore.password=" + PASSWORD), StandardCharsets.UTF_8);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cli = RetinaCli.newCommandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute("produce", "-b", sslBootstrap, "-r", registry.url(), "--command-config",
                    clientProperties.toString(), "--synthetic", "6", "--seed", "5");
            assertThat(exit).as("retina produce over SSL: %s %s", out, err).isZero();
            assertThat(out.toString()).contains("sent=6 failed=0");

            PipelineFixture.Collected collected = PipelineFixture.awaitAllProcessed(plainBootstrap, registry,
                    config.applicationId(), Duration.ofSeconds(90), () -> assertThat(app.state())
                            .isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING));
            assertThat(collected.results()).as("results of the images sent over SSL").hasSize(6);
            assertThat(collected.results().stream().map(r -> r.value().getInstanceId()))
                    .containsOnly(config.instanceId());
            ClassificationResult first = collected.results().get(0).value();
            assertThat(first.getTopK()).isNotEmpty();
        }
    }

    @Test
    void appRefusesToStartWhenTheTruststoreDoesNotHoldTheBrokersCertificate() {
        Map<String, String> settings = appSettings(wrongTruststore);
        assertThatThrownBy(() -> {
            try (StreamsAppRunner app = StreamsAppRunner.start(AppConfig.of(settings))) {
                app.state();
            }
        }).hasMessageContaining(sslBootstrap)
                .satisfies(e -> assertThat(e.toString() + causes(e)).containsIgnoringCase("SSL handshake failed"));

        // The same through the command line: one line naming the failure, exit code 1.
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("app", "-b", sslBootstrap, "-r", registry.url(), "-m",
                settings.get(AppConfig.MODEL_DIR)));
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!e.getKey().equals(AppConfig.BOOTSTRAP_SERVERS) && !e.getKey().equals(AppConfig.SCHEMA_REGISTRY_URL)
                    && !e.getKey().equals(AppConfig.MODEL_DIR)) {
                args.add("-X");
                args.add(e.getKey() + "=" + e.getValue());
            }
        }
        int exit = cli.execute(args.toArray(String[]::new));
        assertThat(exit).as("retina app with a wrong truststore: %s", err).isEqualTo(1);
        assertThat(err.toString()).startsWith("retina app: error: ").contains(sslBootstrap)
                .containsIgnoringCase("SSL handshake failed");
    }

    @Test
    void aMissingTruststoreFileIsNamedInTheError() {
        Map<String, String> settings = appSettings(dir.resolve("no-such-truststore.p12"));
        assertThatThrownBy(() -> {
            try (StreamsAppRunner app = StreamsAppRunner.start(AppConfig.of(settings))) {
                app.state();
            }
        }).satisfies(e -> assertThat(e.toString() + causes(e)).contains("no-such-truststore.p12"));
    }

    private static Map<String, String> appSettings(Path trust) {
        Map<String, String> settings = new HashMap<>();
        settings.put(AppConfig.APPLICATION_ID, "ssl-it-" + UUID.randomUUID());
        settings.put(AppConfig.BOOTSTRAP_SERVERS, sslBootstrap);
        settings.put(AppConfig.SCHEMA_REGISTRY_URL, registry.url());
        settings.put(AppConfig.MODEL_DIR, PipelineFixture.model(dir.resolve("model")).dir().toString());
        settings.put(AppConfig.HTTP_PORT, "-1");
        settings.put(AppConfig.TOPIC_PARTITIONS, "2");
        settings.put(AppConfig.ENGINE_THREADS, "2");
        settings.put(AppConfig.KAFKA_PREFIX + "state.dir", dir.resolve("state-" + UUID.randomUUID()).toString());
        settings.put(AppConfig.KAFKA_PREFIX + "commit.interval.ms", "100");
        settings.put(AppConfig.KAFKA_PREFIX + "consumer.auto.offset.reset", "earliest");
        // Plain client security keys, as in a standard client properties file.
        settings.put("security.protocol", "SSL");
        settings.put("ssl.truststore.type", "PKCS12");
        settings.put("ssl.truststore.location", trust.toString());
        settings.put("ssl.truststore.password", PASSWORD);
        return settings;
    }

    private static String causes(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            s.append(" / ").append(t);
        }
        return s.toString();
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
