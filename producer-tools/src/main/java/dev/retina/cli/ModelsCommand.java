package dev.retina.cli;

import dev.retina.schemas.avro.ModelRelease;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.model.ModelStatusReporter;
import dev.retina.streams.model.ModelTopic;
import dev.retina.streams.model.VersionOrder;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code retina models list|pin|unpin}: what the models topic holds, and the pin that every instance follows.
 * {@code list} reads the topic from the beginning to its current end (no consumer group) and prints the latest
 * record per key: one line per release ({@code NAME VERSION SHA256 SOURCE RELEASED}, versions in numeric-aware
 * order, {@code *} before a pinned version), then the pins, then which version each running instance reports
 * serving ({@link ModelStatusReporter}). {@code pin NAME VERSION} writes {@code pin:NAME = VERSION},
 * {@code unpin NAME} a tombstone for it; instances apply it within one poll.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List model releases on the models topic; pin or unpin a version for all instances.",
        subcommands = {ModelsCommand.ListReleases.class, ModelsCommand.Pin.class, ModelsCommand.Unpin.class})
public final class ModelsCommand implements Runnable {

    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "${env:RETINA_MODELS_TOPIC:-models}",
            scope = picocli.CommandLine.ScopeType.INHERIT, description = "Models topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "Missing subcommand: expected list, pin or unpin");
    }

    /** The latest record per key, read up to the end offsets at the time of the call. */
    Map<String, ConsumerRecord<byte[], byte[]>> latestRecords() {
        Map<String, Object> config = kafka.clientConfig();
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ModelTopic.MAX_RECORD_BYTES + 1024 * 1024);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "retina-models");
        Map<String, ConsumerRecord<byte[], byte[]>> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("expected the models topic '" + topic + "', found no such topic");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null) {
                        latest.put(new String(r.key(), StandardCharsets.UTF_8), r);
                    }
                }
            }
        }
        return latest;
    }

    void send(String key, String value) throws InterruptedException {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "retina-models");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot write " + key + " to " + topic + ": " + cause.getMessage(), cause);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print the releases and pins on the models topic.")
    static final class ListReleases implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Map<String, ConsumerRecord<byte[], byte[]>> latest = parent.latestRecords();
            Map<String, String> pins = new TreeMap<>();
            Map<String, String> instances = new TreeMap<>();
            Map<String, Map<String, ModelRelease>> releases = new TreeMap<>();
            SchemaRegistryClient registry = SchemaRegistryClient.fromKafkaConfig(parent.kafka.clientConfig());
            try (AvroSerde<ModelRelease> serde = new AvroSerde<>(ModelRelease.class, registry, false)) {
                for (Map.Entry<String, ConsumerRecord<byte[], byte[]>> e : latest.entrySet()) {
                    ConsumerRecord<byte[], byte[]> r = e.getValue();
                    if (r.value() == null) {
                        continue;
                    }
                    var key = ModelTopic.parseKey(r.key()).orElse(null);
                    if (key instanceof ModelTopic.StatusKey status) {
                        String line = ModelStatusReporter.Status.parse(r.value())
                                .map(st -> status.name() + ":" + st.version() + " (sha256 "
                                        + st.sha256().substring(0, Math.min(12, st.sha256().length())) + ", since "
                                        + java.time.Instant.ofEpochMilli(st.sinceMillis()) + ")")
                                .orElse("an unreadable status");
                        instances.put(status.instance() + " " + status.name(), "instance " + status.instance()
                                + " serves " + line);
                    } else if (key instanceof ModelTopic.PinKey pin) {
                        pins.put(pin.name(), new String(r.value(), StandardCharsets.UTF_8).strip());
                    } else if (key instanceof ModelTopic.ReleaseKey rk) {
                        try {
                            ModelRelease release = serde.deserializer().deserialize(r.topic(), r.headers(), r.value());
                            releases.computeIfAbsent(rk.name(), n -> new TreeMap<>(VersionOrder.INSTANCE))
                                    .put(rk.version(), release);
                        } catch (RuntimeException ex) {
                            err.printf("skipping %s-%d@%d (%s): not a decodable ModelRelease: %s%n", r.topic(),
                                    r.partition(), r.offset(), e.getKey(), ex.getMessage());
                        }
                    } else {
                        err.printf("skipping %s-%d@%d: unexpected key '%s'%n", r.topic(), r.partition(), r.offset(),
                                e.getKey());
                    }
                }
            }
            out.printf("%-1s %-16s %-12s %-14s %-34s %s%n", "", "NAME", "VERSION", "SHA256", "SOURCE", "RELEASED");
            for (Map.Entry<String, Map<String, ModelRelease>> byName : releases.entrySet()) {
                for (ModelRelease r : byName.getValue().values()) {
                    boolean pinned = r.getVersion().equals(pins.get(r.getName()));
                    String source = r.getOnnx() != null ? "inline " + r.getOnnx().remaining() + " bytes"
                            : String.valueOf(r.getUri());
                    out.printf("%-1s %-16s %-12s %-14s %-34s %s%n", pinned ? "*" : "", r.getName(), r.getVersion(),
                            r.getSha256().substring(0, Math.min(12, r.getSha256().length())), source,
                            r.getReleasedAt());
                }
            }
            for (Map.Entry<String, String> p : pins.entrySet()) {
                out.printf("pin %s -> %s%s%n", p.getKey(), p.getValue(),
                        releases.getOrDefault(p.getKey(), Map.of()).containsKey(p.getValue()) ? ""
                                : " (no such release on the topic)");
            }
            instances.values().forEach(out::println);
            out.printf("releases=%d pins=%d instances=%d%n",
                    releases.values().stream().mapToInt(Map::size).sum(), pins.size(), instances.size());
            out.flush();
            return 0;
        }
    }

    @Command(name = "pin", mixinStandardHelpOptions = true,
            description = "Make every instance serve VERSION of model NAME until unpinned.")
    static final class Pin implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "VERSION") String version;

        @Override
        public Integer call() throws InterruptedException {
            ModelTopic.releaseKey(name, version);
            parent.send(ModelTopic.pinKey(name), version);
            spec.commandLine().getOut().printf("pinned %s to %s on %s%n", name, version, parent.topic);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "unpin", mixinStandardHelpOptions = true,
            description = "Let every instance serve the highest valid version of model NAME again.")
    static final class Unpin implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws InterruptedException {
            parent.send(ModelTopic.pinKey(name), null);
            spec.commandLine().getOut().printf("unpinned %s on %s%n", name, parent.topic);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    static Comparator<String> versions() {
        return VersionOrder.INSTANCE;
    }
}
