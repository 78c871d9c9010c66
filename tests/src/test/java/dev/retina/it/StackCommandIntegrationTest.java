package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.cli.RetinaCli;
import dev.retina.cli.embedded.DefaultTopics;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retina stack} end to end: the printed address line, the default topics, an ImageRecord
 * produced and consumed through the stack by separate clients (in another JVM for the process test),
 * persistence across a restart with {@code --data-dir}, and each way of stopping it.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StackCommandIntegrationTest {

    private static final Pattern ADDRESS_LINE = Pattern.compile("bootstrap=(\\S+) schema_registry=(http://\\S+)");
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void stackServesImageRecordsOnDefaultTopicsAndStopsWhenInterrupted() throws Exception {
        try (InProcessStack stack = InProcessStack.start("--kafka-port", "0", "--registry-port", "0")) {
            try (Admin admin = KafkaClients.admin(stack.bootstrap)) {
                assertThat(admin.listTopics().names().get()).contains(DefaultTopics.IMAGES,
                        DefaultTopics.IMAGE_CLASSIFICATIONS, DefaultTopics.IMAGE_STATS, DefaultTopics.IMAGES_DLQ,
                        DefaultTopics.MODELS);
                ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, DefaultTopics.MODELS);
                Config config = admin.describeConfigs(List.of(models)).all().get().get(models);
                assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
                assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
                        .isEqualTo(Integer.toString(DefaultTopics.MODELS_MAX_MESSAGE_BYTES));
            }
            List<ImageRecord> sent = produceImages(stack.bootstrap, stack.registryUrl, new Random(3), 3);

            assertThat(readImages(stack.bootstrap, stack.registryUrl, sent.size()))
                    .containsExactlyInAnyOrderElementsOf(sent);
            assertTopicSizeLimits(stack.bootstrap);

            assertThat(stack.stop()).isZero();
            assertThat(stack.lines()).containsExactly(stack.line);
        }
    }

    @Test
    void dataDirKeepsTopicsRecordsAndSchemasAcrossRestart() throws Exception {
        String dataDir = tmp.resolve("stack-data").toString();
        List<ImageRecord> sent;
        String firstBootstrap;
        int schemaId;
        try (InProcessStack first = InProcessStack.start("--data-dir", dataDir, "--kafka-port", "0",
                "--registry-port", "0")) {
            firstBootstrap = first.bootstrap;
            sent = produceImages(first.bootstrap, first.registryUrl, new Random(4), 4);
            schemaId = SchemaRegistryClient.forUrl(first.registryUrl)
                    .lookup(DefaultTopics.IMAGES + "-value", ImageRecord.getClassSchema()).id();
            assertThat(first.stop()).isZero();
        }

        try (InProcessStack second = InProcessStack.start("--data-dir", dataDir, "--kafka-port", "0",
                "--registry-port", "0")) {
            assertThat(second.bootstrap).as("port remembered in the data dir").isEqualTo(firstBootstrap);
            SchemaRegistryClient client = SchemaRegistryClient.forUrl(second.registryUrl);
            assertThat(client.lookup(DefaultTopics.IMAGES + "-value", ImageRecord.getClassSchema()).id())
                    .isEqualTo(schemaId);

            assertThat(readImages(second.bootstrap, second.registryUrl, sent.size()))
                    .containsExactlyInAnyOrderElementsOf(sent);
            assertThat(second.stop()).isZero();
        }
    }

    @Test
    void durationStopsTheStackByItself() throws Exception {
        try (InProcessStack stack = InProcessStack.start("--kafka-port", "0", "--registry-port", "0",
                "--duration", "1s")) {
            assertThat(stack.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(stack.lines()).containsExactly(stack.line);
        }
    }

    @Test
    void busyRegistryPortFailsWithOneLineAndStopsTheBrokerItStarted() throws Exception {
        int kafkaPort;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("localhost", 0));
            kafkaPort = probe.getLocalPort();
        }
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("localhost", 0));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cli = RetinaCli.newCommandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));

            int exit = cli.execute("stack", "--kafka-port", Integer.toString(kafkaPort), "--registry-port",
                    Integer.toString(busy.getLocalPort()));

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString()).startsWith("retina stack: error: ")
                    .contains("schema registry", Integer.toString(busy.getLocalPort()));
            assertThat(out.toString()).isEmpty();
        }
        // The broker started before the registry failed was shut down: its port is free again.
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("localhost", kafkaPort));
        }
    }

    @Test
    void separateProcessPrintsOneLineServesAnotherJvmAndStopsCleanlyOnSigterm() throws Exception {
        Path stderr = tmp.resolve("stack-stderr.log");
        ProcessBuilder pb = new ProcessBuilder(javaExecutable(), "-Xmx512m", "-cp", testClasspath(),
                RetinaCli.class.getName(), "stack", "--kafka-port", "0", "--registry-port", "0")
                .redirectError(stderr.toFile());
        long started = System.nanoTime();
        Process process = pb.start();
        try {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    in.lines().forEach(lines::add);
                } catch (java.io.IOException e) {
                    lines.add("<stdout read failed: " + e + ">");
                }
            }, "stack-stdout");
            reader.start();

            String line = lines.poll(LINE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(line).as("address line; stderr:%n%s", Files.exists(stderr) ? Files.readString(stderr) : "")
                    .isNotNull().matches(ADDRESS_LINE);
            System.err.printf("retina stack child JVM: process start -> address line in %d ms%n", startMillis);
            Matcher m = ADDRESS_LINE.matcher(line);
            assertThat(m.matches()).isTrue();

            List<ImageRecord> sent = produceImages(m.group(1), m.group(2), new Random(5), 2);
            assertThat(readImages(m.group(1), m.group(2), sent.size())).containsExactlyInAnyOrderElementsOf(sent);

            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited because of the signal.
            assertThat(process.exitValue()).isEqualTo(143);
            assertThat(lines).as("nothing else on stdout").isEmpty();
            assertThat(Files.readString(stderr)).contains("Stack stopped").doesNotContain("Exception");
        } finally {
            process.destroyForcibly();
        }
    }

    /** Images well over Kafka's 1 MiB default fit the images topic, models fit theirs, and beyond is refused. */
    private static void assertTopicSizeLimits(String bootstrap) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 80 * 1024 * 1024,
                        ProducerConfig.BUFFER_MEMORY_CONFIG, 160L * 1024 * 1024))) {
            producer.send(new ProducerRecord<>(DefaultTopics.IMAGES, new byte[10 * 1024 * 1024]))
                    .get(60, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(DefaultTopics.MODELS, "big-model".getBytes(StandardCharsets.UTF_8),
                    new byte[40 * 1024 * 1024])).get(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(DefaultTopics.IMAGES,
                    new byte[DefaultTopics.IMAGES_MAX_MESSAGE_BYTES + 1])).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);
        }
    }

    private static List<ImageRecord> produceImages(String bootstrap, String registryUrl, Random rnd, int count)
            throws Exception {
        AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class);
        serde.configure(Map.of("schema.registry.url", registryUrl), false);
        List<ImageRecord> sent = new ArrayList<>();
        try (KafkaProducer<String, ImageRecord> producer = KafkaClients.producer(bootstrap, new StringSerializer(),
                serde.serializer(), Map.of())) {
            for (int i = 0; i < count; i++) {
                ImageRecord r = SampleRecords.imageRecord(rnd, "stack-img-" + i);
                producer.send(new ProducerRecord<>(DefaultTopics.IMAGES, r.getImageId(), r)).get(30, TimeUnit.SECONDS);
                sent.add(r);
            }
        }
        return sent;
    }

    private static List<ImageRecord> readImages(String bootstrap, String registryUrl, int count) {
        AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class);
        serde.configure(Map.of("schema.registry.url", registryUrl), false);
        return KafkaClients.readFromStart(bootstrap, DefaultTopics.IMAGES, count, new StringDeserializer(),
                serde.deserializer(), READ_TIMEOUT).stream().map(ConsumerRecord::value).toList();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The test classpath; surefire exposes it as java.class.path in the forked test JVM. */
    private static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        assertThat(cp).as("test classpath").contains("producer-tools");
        return cp;
    }

    /**
     * {@code retina stack} run through the real command line in a thread of this JVM, its stdout
     * captured line by line. {@link #close()} stops it if a test did not.
     */
    private static final class InProcessStack implements AutoCloseable {
        private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
        private final List<String> allLines = new ArrayList<>();
        private final StringBuilder err = new StringBuilder();
        private final AtomicInteger exitCode = new AtomicInteger(Integer.MIN_VALUE);
        private final Thread thread;
        final String line;
        final String bootstrap;
        final String registryUrl;

        private InProcessStack(String... args) throws InterruptedException {
            var cli = RetinaCli.newCommandLine();
            cli.setOut(new PrintWriter(new LineWriter(out, allLines), true));
            cli.setErr(new PrintWriter(new Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) {
                    synchronized (err) {
                        err.append(cbuf, off, len);
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            }, true));
            String[] full = new String[args.length + 1];
            full[0] = "stack";
            System.arraycopy(args, 0, full, 1, args.length);
            thread = new Thread(() -> exitCode.set(cli.execute(full)), "retina-stack-under-test");
            thread.start();
            String first = out.poll(LINE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (first == null) {
                thread.interrupt();
                throw new AssertionError("no address line within " + LINE_TIMEOUT + "; exit code "
                        + exitCode.get() + ", stderr: " + stderr());
            }
            Matcher m = ADDRESS_LINE.matcher(first);
            if (!m.matches()) {
                thread.interrupt();
                throw new AssertionError("unexpected first line '" + first + "', stderr: " + stderr());
            }
            line = first;
            bootstrap = m.group(1);
            registryUrl = m.group(2);
        }

        static InProcessStack start(String... args) throws InterruptedException {
            return new InProcessStack(args);
        }

        /** Interrupts the command (its documented stop request) and returns its exit code. */
        int stop() throws InterruptedException {
            thread.interrupt();
            return awaitExit(Duration.ofSeconds(60));
        }

        int awaitExit(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                throw new AssertionError("stack still running after " + timeout + "; stderr: " + stderr());
            }
            if (exitCode.get() != 0) {
                System.err.println("retina stack exited with " + exitCode.get() + "; its stderr: " + stderr());
            }
            return exitCode.get();
        }

        List<String> lines() {
            synchronized (allLines) {
                return List.copyOf(allLines);
            }
        }

        private String stderr() {
            synchronized (err) {
                return err.toString();
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (thread.isAlive()) {
                stop();
            }
        }
    }

    /** Collects written text as lines; each complete line is also offered to a queue for waiting. */
    private static final class LineWriter extends Writer {
        private final BlockingQueue<String> queue;
        private final List<String> all;
        private final StringBuilder pending = new StringBuilder();

        LineWriter(BlockingQueue<String> queue, List<String> all) {
            this.queue = queue;
            this.all = all;
        }

        @Override
        public synchronized void write(char[] cbuf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                char c = cbuf[i];
                if (c == '\n') {
                    String line = pending.toString();
                    pending.setLength(0);
                    synchronized (all) {
                        all.add(line);
                    }
                    queue.add(line);
                } else if (c != '\r') {
                    pending.append(c);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
