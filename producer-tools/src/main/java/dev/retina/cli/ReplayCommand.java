package dev.retina.cli;

import dev.retina.cli.embedded.DefaultTopics;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.OriginalHeader;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code retina replay}: re-publishes dead letters of the chosen reasons to the input topic, so that the pipeline
 * processes them again (after a fix: a model deployed, a limit raised, a timeout widened).
 *
 * <p>Contract: for every {@link DeadLetter} on {@code --from} whose reason is one of {@code --reason}, one record
 * goes to {@code --to} whose key, value and headers are the dead letter's {@code originalKey},
 * {@code originalValue} and {@code originalHeaders}, byte for byte and in their original order. Its timestamp is the
 * time of the replay (the original time is in the dead letter), and its partition follows from the key as for any
 * producer. The producer is idempotent with {@code acks=all}, so a retry inside one run never duplicates a record.
 *
 * <p>The dead-letter topic is read with {@code read_committed} from the beginning (or, with {@code --group}, from
 * that group's committed position) up to its end as it was when the command started, so dead letters that a replay
 * produces again are not replayed in the same run. With {@code --group} the positions reached are committed after
 * every replayed record was acknowledged, and the next run with the same group continues from there.
 *
 * <p>Skipped, each counted in {@code skipped}: dead letters of other reasons, dead letters without an original
 * value (a null record can only fail again), and records of the topic that are no decodable DeadLetter (each
 * reported on stderr with its partition and offset). The last line on stdout is
 * {@code replayed=N skipped=M} ({@code --dry-run}: {@code replayed=0 skipped=M would_replay=N}). Exit code 0; 1 when
 * a record could not be sent (nothing is committed then).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {
            "Re-publish dead letters of the given reasons, with their original key, value and headers, to the"
                    + " input topic.",
            "Reasons: DESERIALIZATION, UNSUPPORTED_FORMAT, CORRUPT_IMAGE, IMAGE_TOO_LARGE, PREPROCESSING, INFERENCE,"
                    + " TIMEOUT, MODEL_UNAVAILABLE, UNKNOWN."
        })
public final class ReplayCommand implements Callable<Integer> {

    /** How long the reader may see no progress towards the end offsets before it gives up. */
    static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(names = "--from", paramLabel = "TOPIC", defaultValue = "${env:RETINA_DLQ_TOPIC:-images-dlq}",
            description = "Dead-letter topic to read (default: ${DEFAULT-VALUE}).")
    String from;

    @Option(names = "--to", paramLabel = "TOPIC", defaultValue = "${env:RETINA_INPUT_TOPIC:-images}",
            description = "Topic to re-publish to (default: ${DEFAULT-VALUE}).")
    String to;

    @Option(names = "--reason", paramLabel = "REASON", required = true, split = ",",
            description = "Replay dead letters with this reason; repeatable or comma-separated.")
    List<ErrorReason> reasons;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
            description = "Replay at most N records (default: 0, no limit).")
    long max;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Consumer group that remembers how far replays got: start at its committed position and"
                    + " commit the position reached (default: none; read from the beginning, commit nothing).")
    String group;

    @Option(names = "--dry-run", description = "Only list what would be replayed; send and commit nothing.")
    boolean dryRun;

    @Option(names = {"-v", "--verbose"}, description = "Print one line per record replayed.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        if (max < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max must be >= 0, found " + max);
        }
        if (from.equals(to)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from and --to must differ, found "
                    + from + " for both");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Set<ErrorReason> wanted = EnumSet.copyOf(reasons);

        Map<String, Object> consumerConfig = kafka.clientConfig();
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "retina-replay");
        // Dead letters carry whole images; let one fetch hold the largest the topic accepts.
        consumerConfig.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                DefaultTopics.IMAGES_DLQ_MAX_MESSAGE_BYTES);
        if (group != null) {
            consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        } else {
            consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        }
        Map<String, Object> producerConfig = kafka.clientConfig();
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "retina-replay");
        producerConfig.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DefaultTopics.IMAGES_DLQ_MAX_MESSAGE_BYTES);
        SchemaRegistryClient registry = SchemaRegistryClient.fromKafkaConfig(consumerConfig);

        Tally tally = new Tally();
        try (AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.class, registry, false);
                KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = dryRun ? null
                        : new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            positionAtStart(consumer, partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            Map<TopicPartition, Long> reached = new HashMap<>();
            long lastProgress = System.nanoTime();
            while (!atEnd(consumer, partitions, end) && (max == 0 || tally.selected < max)) {
                var records = consumer.poll(Duration.ofMillis(250));
                if (records.isEmpty()) {
                    if (System.nanoTime() - lastProgress > STALL_LIMIT.toNanos()) {
                        throw new IllegalStateException("reading " + from + " made no progress for " + STALL_LIMIT
                                .toSeconds() + " s; positions " + positions(consumer, partitions) + ", expected to"
                                + " reach " + end);
                    }
                    continue;
                }
                lastProgress = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue;
                    }
                    if (max != 0 && tally.selected >= max) {
                        break;
                    }
                    reached.put(tp, r.offset() + 1);
                    DeadLetter letter = decode(serde, r, err);
                    if (letter == null || !wanted.contains(letter.getReason())) {
                        tally.skipped++;
                        continue;
                    }
                    if (letter.getOriginalValue() == null) {
                        err.printf("skipped %s-%d@%d: dead letter %s has no original value to replay%n",
                                r.topic(), r.partition(), r.offset(), letter.getReason());
                        tally.skipped++;
                        continue;
                    }
                    tally.selected++;
                    if (dryRun || verbose) {
                        out.printf("%s %s-%d@%d reason=%s original=%s-%d@%d bytes=%d%n",
                                dryRun ? "would replay" : "replay", r.topic(), r.partition(), r.offset(),
                                letter.getReason(), letter.getOriginalTopic(), letter.getOriginalPartition(),
                                letter.getOriginalOffset(), letter.getOriginalValue().remaining());
                    }
                    if (!dryRun) {
                        sends.add(producer.send(toRecord(letter)));
                    }
                }
            }
            if (!dryRun) {
                producer.flush();
                int failed = 0;
                for (Future<RecordMetadata> send : sends) {
                    try {
                        send.get();
                        tally.replayed++;
                    } catch (ExecutionException e) {
                        failed++;
                        err.printf("error: a dead letter could not be re-published to %s: %s%n", to,
                                e.getCause().getMessage());
                    }
                }
                if (failed > 0) {
                    err.printf("error: %d of %d records were not re-published; nothing committed%s%n", failed,
                            sends.size(), group == null ? "" : " for group " + group);
                    out.printf("replayed=%d skipped=%d%n", tally.replayed, tally.skipped);
                    out.flush();
                    return 1;
                }
                if (group != null && !reached.isEmpty()) {
                    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
                    reached.forEach((tp, next) -> commits.put(tp, new OffsetAndMetadata(next)));
                    consumer.commitSync(commits);
                }
            }
        }
        if (dryRun) {
            out.printf("replayed=0 skipped=%d would_replay=%d%n", tally.skipped, tally.selected);
        } else {
            out.printf("replayed=%d skipped=%d%n", tally.replayed, tally.skipped);
        }
        out.flush();
        return 0;
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        Map<String, List<PartitionInfo>> topics = consumer.listTopics();
        List<PartitionInfo> infos = topics.get(from);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("no topic '" + from + "' on the cluster (expected the dead-letter"
                    + " topic; see --from)");
        }
        if (!dryRun && !topics.containsKey(to)) {
            throw new IllegalArgumentException("no topic '" + to + "' on the cluster (expected the input topic to"
                    + " replay to; see --to)");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return partitions;
    }

    /** The group's committed positions where there are any, the beginning elsewhere. */
    private void positionAtStart(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        consumer.seekToBeginning(partitions);
        if (group == null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        committed.forEach((tp, offset) -> {
            if (offset != null) {
                consumer.seek(tp, offset.offset());
            }
        });
    }

    private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
            Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    private static Map<TopicPartition, Long> positions(KafkaConsumer<byte[], byte[]> consumer,
            List<TopicPartition> partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        partitions.forEach(tp -> positions.put(tp, consumer.position(tp)));
        return positions;
    }

    private static DeadLetter decode(AvroSerde<DeadLetter> serde, ConsumerRecord<byte[], byte[]> r,
            PrintWriter err) {
        if (r.value() == null) {
            err.printf("skipped %s-%d@%d: a null record, expected a DeadLetter%n", r.topic(), r.partition(),
                    r.offset());
            return null;
        }
        try {
            return serde.deserializer().deserialize(r.topic(), r.headers(), r.value());
        } catch (RuntimeException e) {
            err.printf("skipped %s-%d@%d: not a decodable DeadLetter (%s)%n", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
            return null;
        }
    }

    /** The original record: key, value and headers exactly as the dead letter kept them. */
    ProducerRecord<byte[], byte[]> toRecord(DeadLetter letter) {
        RecordHeaders headers = new RecordHeaders();
        for (OriginalHeader h : letter.getOriginalHeaders()) {
            headers.add(h.getKey(), bytes(h.getValue()));
        }
        return new ProducerRecord<>(to, null, null, bytes(letter.getOriginalKey()), bytes(letter.getOriginalValue()),
                headers);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    private static final class Tally {
        long selected;
        long replayed;
        long skipped;
    }
}
