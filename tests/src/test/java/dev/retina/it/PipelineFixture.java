package dev.retina.it;

import static org.awaitility.Awaitility.await;

import dev.retina.cli.ModelLocator;
import dev.retina.cli.SyntheticImages;
import dev.retina.cli.SyntheticProducer;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.engine.data.SyntheticShapes;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.train.Architecture;
import dev.retina.engine.train.ModelPackageWriter;
import dev.retina.engine.train.Network;
import dev.retina.engine.train.TrainingSet;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the pipeline tests share: the model to serve (the shipped shapes model, or an untrained stand-in built in
 * code when the repository has none), an application configuration against the embedded broker and registry, a
 * synthetic feed, and a reader that collects everything the application committed once it has consumed every input
 * record.
 */
final class PipelineFixture {

    static final String INPUT = "images";
    static final String OUTPUT = "image-classifications";
    static final String DLQ = "images-dlq";

    /**
     * The model package to serve.
     *
     * @param shipped true for the trained model of the repository, false for an untrained stand-in (accuracy is
     *                then meaningless and only counts are checked)
     */
    record ModelChoice(Path dir, boolean shipped) {
    }

    /** Everything the application committed to the output and dead-letter topics, as read at the end. */
    record Collected(List<ConsumerRecord<String, ClassificationResult>> results,
                     List<ConsumerRecord<String, DeadLetter>> deadLetters) {
    }

    private PipelineFixture() {
    }

    static ModelChoice model(Path tmp) {
        return ModelLocator.find(ModelLocator.SHIPPED_SHAPES, System.getenv())
                .map(dir -> new ModelChoice(dir, true))
                .orElseGet(() -> new ModelChoice(untrainedShapesModel(tmp.resolve("repo").resolve("shapes")
                        .resolve("0")), false));
    }

    /** The shipped architecture with random weights: right shapes and labels, chance-level answers. */
    static Path untrainedShapesModel(Path dir) {
        SyntheticShapes shapes = new SyntheticShapes(1, 8);
        PreprocessSpec spec = TrainingSet.defaultSpec(shapes);
        Network network = Network.create(3, shapes.height(), shapes.width(), Architecture.parse("shapes-s"),
                shapes.labels().size(), 1);
        try {
            ModelPackageWriter.write(dir, network, shapes.labels(), spec, 0, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** The application against {@code kafka} and {@code registry}: exactly-once, 3 partitions, no HTTP port. */
    static AppConfig appConfig(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, Path modelDir, Path stateDir,
                               Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put(AppConfig.APPLICATION_ID, "it-" + UUID.randomUUID());
        settings.put(AppConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(AppConfig.SCHEMA_REGISTRY_URL, registry.url());
        settings.put(AppConfig.MODEL_DIR, modelDir.toString());
        settings.put(AppConfig.HTTP_PORT, "-1");
        settings.put(AppConfig.TOPIC_PARTITIONS, "3");
        settings.put(AppConfig.ENGINE_THREADS, "2");
        settings.put(AppConfig.KAFKA_PREFIX + "state.dir", stateDir.toString());
        settings.put(AppConfig.KAFKA_PREFIX + "commit.interval.ms", "100");
        settings.put(AppConfig.KAFKA_PREFIX + "consumer.auto.offset.reset", "earliest");
        settings.putAll(extra);
        return AppConfig.of(settings);
    }

    /** A feed of {@code count} synthetic images and {@code bad} malformed records through a fresh producer. */
    static SyntheticProducer.Summary produce(String bootstrap, EmbeddedSchemaRegistry registry, long seed, int count,
                                             int bad, Consumer<List<SyntheticProducer.Item>> planSink)
            throws InterruptedException {
        return produce(bootstrap, registry, seed, count, bad, 0, planSink);
    }

    /** As above, at {@code rate} records per second ({@code <= 0}: unpaced). */
    static SyntheticProducer.Summary produce(String bootstrap, EmbeddedSchemaRegistry registry, long seed, int count,
                                             int bad, double rate, Consumer<List<SyntheticProducer.Item>> planSink)
            throws InterruptedException {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap, new StringSerializer(),
                new ByteArraySerializer(), Map.of());
                AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class,
                        SchemaRegistryClient.forUrl(registry.url()), false)) {
            SyntheticProducer feed = new SyntheticProducer(producer, INPUT, serde.serializer(),
                    new SyntheticImages(seed, count, "it"), bad, rate);
            planSink.accept(feed.plan());
            return feed.run(new SyntheticProducer.Listener() { });
        }
    }

    /**
     * Waits until the application's consumer group has committed the end offset of every input partition (so every
     * input record was processed and its output committed in the same transaction) and no transaction is open on
     * the output topics, checking {@code whileWaiting} on each try, then reads both output topics with
     * read_committed up to their last stable offsets.
     */
    static Collected awaitAllProcessed(String bootstrap, EmbeddedSchemaRegistry registry, String applicationId,
                                       Duration timeout, Runnable whileWaiting) {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                whileWaiting.run();
                return lag(admin, applicationId) == 0 && settled(admin, List.of(OUTPUT, DLQ));
            });
        }
        return readCommitted(bootstrap, registry);
    }

    /** Records of the input topic not yet committed by group {@code groupId}; MAX_VALUE before its first commit. */
    static long lag(Admin admin, String groupId) throws Exception {
        Set<TopicPartition> partitions = admin.describeTopics(List.of(INPUT)).allTopicNames().get().get(INPUT)
                .partitions().stream().map(p -> new TopicPartition(INPUT, p.partition())).collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (TopicPartition p : partitions) {
            long end = ends.get(p).offset();
            OffsetAndMetadata c = committed.get(p);
            if (c == null) {
                if (end > 0) {
                    return Long.MAX_VALUE;
                }
                continue;
            }
            lag += Math.max(0, end - c.offset());
        }
        return lag;
    }

    /**
     * Whether no transaction is open on {@code topics}: in every partition the last stable offset has reached the
     * high watermark. A transaction left open by a killed instance holds the last stable offset back (and with it
     * everything committed after it) until the broker aborts it on its timeout.
     */
    static boolean settled(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().values().forEach(d -> d.partitions()
                .forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> high = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
        return latest.keySet().stream().allMatch(tp -> stable.get(tp).offset() == high.get(tp).offset());
    }

    /** Every committed record of the output and dead-letter topics (read_committed, up to the last stable offset). */
    static Collected readCommitted(String bootstrap, EmbeddedSchemaRegistry registry) {
        SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url());
        List<ConsumerRecord<String, ClassificationResult>> results = new ArrayList<>();
        List<ConsumerRecord<String, DeadLetter>> deadLetters = new ArrayList<>();
        try (AvroSerde<ClassificationResult> resultSerde = new AvroSerde<>(ClassificationResult.class, client, false);
                AvroSerde<DeadLetter> dlqSerde = new AvroSerde<>(DeadLetter.class, client, false)) {
            for (ConsumerRecord<String, byte[]> r : readToEnd(bootstrap, List.of(OUTPUT, DLQ))) {
                if (r.topic().equals(OUTPUT)) {
                    results.add(copy(r, resultSerde.deserializer().deserialize(OUTPUT, r.value())));
                } else {
                    deadLetters.add(copy(r, dlqSerde.deserializer().deserialize(DLQ, r.value())));
                }
            }
        }
        return new Collected(results, deadLetters);
    }

    /** Raw records of {@code topics} from the start to the end (last stable offset under read_committed). */
    static List<ConsumerRecord<String, byte[]>> readToEnd(String bootstrap, List<String> topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topics + " to their ends " + ends + " in 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static <V> ConsumerRecord<String, V> copy(ConsumerRecord<String, byte[]> r, V value) {
        return new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), value);
    }

    /** Starts the application and waits until Kafka Streams is RUNNING. */
    static StreamsAppRunner startApp(AppConfig config) {
        StreamsAppRunner app = StreamsAppRunner.start(config);
        await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
        return app;
    }
}
