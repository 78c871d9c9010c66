package dev.retina.cli;

import dev.retina.cli.embedded.DefaultTopics;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.KafkaSchemaStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code retina stack}: a real single-node Kafka (KRaft) and a Confluent-compatible schema registry
 * in this process, kept running for other processes.
 *
 * <p>Once both serve, and the default topics ({@link DefaultTopics}) exist, exactly one line goes to
 * stdout: {@code bootstrap=HOST:PORT schema_registry=URL}; logs go to stderr. Runs until interrupted
 * (Ctrl-C, SIGTERM: a shutdown hook stops registry and broker cleanly) or until {@code --duration}
 * has passed. With {@code --data-dir} topics, records and registered schemas survive a restart: the
 * registry keeps its state in the compacted topic {@code _schemas} and rebuilds it on start.
 */
@Command(
        name = "stack",
        mixinStandardHelpOptions = true,
        description = {
            "Run an embedded Kafka broker (KRaft) and schema registry for other processes.",
            "Prints one line 'bootstrap=HOST:PORT schema_registry=URL' when both serve, then runs until",
            "interrupted (Ctrl-C) or until --duration has passed."
        })
public final class StackCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(StackCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep broker data here (created if missing) so topics, records and schemas survive a"
                    + " restart. Default: a temporary directory, deleted on exit.")
    Path dataDir;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Kafka client port (default: ${DEFAULT-VALUE}); 0 picks a free port, or reuses the one"
                    + " remembered in --data-dir.")
    int kafkaPort;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Schema registry HTTP port (default: ${DEFAULT-VALUE}); 0 picks a free port.")
    int registryPort;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "localhost",
            description = "Host to bind and advertise (default: ${DEFAULT-VALUE}); 0.0.0.0 binds all interfaces.")
    String host;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop by itself after this long, e.g. 30s, 10m, 2h or PT30S. Default: run until"
                    + " interrupted.")
    String durationText;

    @Override
    public Integer call() throws Exception {
        checkPort("--kafka-port", kafkaPort);
        checkPort("--registry-port", registryPort);
        Duration duration = durationText == null ? null : Durations.parse("--duration", durationText, spec);
        if (duration != null && duration.isZero()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for --duration: '" + durationText + "' (expected a positive duration)");
        }

        RunningStack stack = RunningStack.start(dataDir, host, kafkaPort, registryPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "retina-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        PrintWriter out = spec.commandLine().getOut();
        out.println("bootstrap=" + stack.kafka.bootstrapServers() + " schema_registry=" + stack.registry.url());
        out.flush();
        boolean interrupted = false;
        try {
            if (duration == null) {
                stopped.await();
            } else if (!stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.info("Stack ran for {}; stopping", durationText);
            }
        } catch (InterruptedException e) {
            // Interrupting the command's thread (an embedding program, a test) is a request to stop.
            LOG.info("Stack interrupted; stopping");
            interrupted = true;
        } finally {
            // Closed with the interrupt flag clear, so the brokers' own waits during shutdown are not cut short.
            stack.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shutdownInProgress) {
                // The JVM is already exiting and the hook has done, or is doing, the same close.
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private void checkPort(String option, int port) {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for " + option + ": " + port + " (expected 0 for a free port, or 1..65535)");
        }
    }

    /** The broker and registry of one run; {@link #close()} stops the registry first, then the broker. */
    static final class RunningStack implements AutoCloseable {
        final EmbeddedKafka kafka;
        final EmbeddedSchemaRegistry registry;
        private boolean closed;

        private RunningStack(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
            this.kafka = kafka;
            this.registry = registry;
        }

        static RunningStack start(Path dataDir, String host, int kafkaPort, int registryPort)
                throws InterruptedException, ExecutionException, TimeoutException {
            long t0 = System.nanoTime();
            EmbeddedKafka.Builder builder = EmbeddedKafka.builder().optHost(host).optPort(kafkaPort);
            if (dataDir != null) {
                builder.optDataDir(dataDir);
            }
            EmbeddedKafka kafka = builder.start();
            try {
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
                    List<String> created = DefaultTopics.createMissing(admin, (short) 1);
                    if (!created.isEmpty()) {
                        LOG.info("Created topics {}", created);
                    }
                    createSchemaTopic(admin);
                }
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
                        .optHost(host)
                        .optPort(registryPort)
                        .optKafkaStore(kafka.bootstrapServers(), KafkaSchemaStore.DEFAULT_TOPIC, Map.of())
                        .start();
                LOG.info("Stack up in {} ms: Kafka {} ({}), schema registry {}",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), kafka.bootstrapServers(),
                        dataDir == null ? "temporary data" : "data in " + kafka.dataDir(), registry.url());
                return new RunningStack(kafka, registry);
            } catch (RuntimeException | InterruptedException | ExecutionException | TimeoutException e) {
                try {
                    kafka.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        /**
         * Creates the registry's {@code _schemas} topic up front, with the layout its store requires
         * (compacted, one partition), and waits until brokers know it, so the registry starts on a
         * topic that is ready rather than racing its creation.
         */
        private static void createSchemaTopic(Admin admin)
                throws InterruptedException, ExecutionException, TimeoutException {
            String topic = KafkaSchemaStore.DEFAULT_TOPIC;
            if (admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS)
                    .contains(topic)) {
                return;
            }
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
            DefaultTopics.awaitDescribable(admin, List.of(topic), Duration.ofSeconds(30));
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                registry.close();
            } finally {
                kafka.close();
            }
            LOG.info("Stack stopped");
        }
    }
}
