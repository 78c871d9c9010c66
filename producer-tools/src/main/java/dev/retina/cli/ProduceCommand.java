package dev.retina.cli;

import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code retina produce}: sends image files as {@link ImageRecord}s (Confluent-framed Avro) to the
 * input topic, keyed by image id. Files over the size limit or in an unknown format are refused with
 * a message and counted as failures; nothing is ever truncated.
 *
 * <p>With {@code --synthetic N} it sends N labelled images rendered from a seeded synthetic data set
 * instead ({@link SyntheticImages}), and {@code --bad N} mixes in N malformed records of every
 * {@link MalformedKind} (for demos and fault tests). {@code --rate} paces either mode. The last line
 * of stdout is {@code sent=N failed=M ...}; the exit code is 0 only when nothing failed.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send image files (JPEG, PNG, GIF, BMP), or synthetic labelled images, to the images topic as"
                + " ImageRecords.",
            "Last line: sent=N failed=M ..."})
public final class ProduceCommand implements Callable<Integer> {

    static final long DEFAULT_MAX_IMAGE_BYTES = 8L * 1024 * 1024;

    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(names = {"-t", "--topic"}, defaultValue = "${env:RETINA_INPUT_TOPIC:-images}",
            description = "Input topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--source", defaultValue = "retina-produce",
            description = "Value of ImageRecord.source (default: ${DEFAULT-VALUE}).")
    String source;

    @Option(names = "--label", description = "Ground-truth label for every image sent.")
    String label;

    @Option(names = {"--label-from-dir", "--label-from-folder"},
            description = "Use each file's parent folder name as its ground-truth label (class-named folders).")
    boolean labelFromDir;

    @Option(names = "--max-image-bytes", defaultValue = "" + DEFAULT_MAX_IMAGE_BYTES,
            description = "Refuse files larger than this (default: ${DEFAULT-VALUE}); the topic and broker must accept records this large.")
    long maxImageBytes;

    @Option(names = "--no-format-check",
            description = "Send files even when they are not JPEG/PNG/GIF/BMP (the pipeline will dead-letter them).")
    boolean noFormatCheck;

    @Option(names = {"-v", "--verbose"}, description = "Print one line per record sent.")
    boolean verbose;

    @Option(names = "--synthetic", paramLabel = "N",
            description = "Send N synthetic labelled PNG images (seeded shapes) instead of files.")
    Integer synthetic;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of --synthetic images and --bad records (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--bad", paramLabel = "N", defaultValue = "0",
            description = "With --synthetic: also send N malformed records, cycling through every kind the"
                    + " dead-letter reasons cover (default: ${DEFAULT-VALUE}).")
    int bad;

    @Option(names = "--rate", paramLabel = "R",
            description = "Send at most R records per second (default: as fast as the broker takes them).")
    Double rate;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "A folder searched recursively for images; repeatable; the same as giving it as a PATH.")
    List<Path> dirs = new ArrayList<>();

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Image files, or folders searched recursively for them.")
    List<Path> paths = new ArrayList<>();

    /** Progress goes to stderr at most this often, so stdout keeps only records and the summary. */
    private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

    @Override
    public Integer call() throws Exception {
        if (maxImageBytes <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--max-image-bytes must be positive, found " + maxImageBytes);
        }
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--dir expects a folder, found " + (Files.exists(dir) ? "a file" : "nothing") + " at " + dir);
            }
            paths.add(dir);
        }
        checkSource();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> config = producerConfig();
        SchemaRegistryClient registry = SchemaRegistryClient.fromKafkaConfig(config);
        if (synthetic != null) {
            return sendSynthetic(config, registry, out, err);
        }
        List<Path> files = expand(paths);

        int sent = 0;
        int failed = 0;
        long bytes = 0;
        try (AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class, registry, false);
                KafkaProducer<String, ImageRecord> producer =
                        new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
            List<Pending> inFlight = new ArrayList<>();
            Pacer pacer = new Pacer(rate == null ? 0 : rate);
            int position = 0;
            for (Path file : files) {
                pacer.awaitTurn(position++);
                Optional<ImageRecord> record = toRecord(file, err);
                if (record.isEmpty()) {
                    failed++;
                    continue;
                }
                ImageRecord image = record.get();
                inFlight.add(new Pending(file, image.getImageId(),
                        producer.send(new ProducerRecord<>(topic, image.getImageId(), image))));
                bytes += image.getData().remaining();
            }
            producer.flush();
            for (Pending p : inFlight) {
                try {
                    RecordMetadata m = p.result().get();
                    sent++;
                    if (verbose) {
                        out.printf("sent %s %s -> %s-%d@%d%n", p.imageId(), p.file(), m.topic(), m.partition(), m.offset());
                    }
                } catch (ExecutionException e) {
                    failed++;
                    err.printf("error: %s was not sent: %s%n", p.file(), e.getCause().getMessage());
                }
            }
        }
        out.printf("sent=%d failed=%d bytes=%d topic=%s%n", sent, failed, bytes, topic);
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private void checkSource() {
        if (synthetic == null && paths.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'PATH'"
                    + " (expected image files or folders, or --synthetic N)");
        }
        if (synthetic != null && !paths.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "expected either PATH arguments or"
                    + " --synthetic N, found both (" + paths.size() + " paths and --synthetic " + synthetic + ")");
        }
        if (synthetic != null && synthetic < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--synthetic must be >= 0, found " + synthetic);
        }
        if (bad < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--bad must be >= 0, found " + bad);
        }
        if (bad > 0 && synthetic == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--bad " + bad + " needs --synthetic N (malformed records are mixed into synthetic images)");
        }
        if (rate != null && !(rate > 0 && Double.isFinite(rate))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--rate must be a positive number of records per second, found " + rate);
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxImageBytes + 64 * 1024));
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "retina-produce");
        return config;
    }

    private int sendSynthetic(Map<String, Object> config, SchemaRegistryClient registry, PrintWriter out,
                              PrintWriter err) throws InterruptedException {
        SyntheticImages images = new SyntheticImages(seed, synthetic, source);
        SyntheticProducer.Summary summary;
        try (AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class, registry, false);
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            SyntheticProducer feed = new SyntheticProducer(producer, topic, serde.serializer(), images, bad,
                    rate == null ? 0 : rate);
            summary = feed.run(new SyntheticProducer.Listener() {
                private long lastProgress = System.nanoTime();

                @Override
                public void acknowledged(SyntheticProducer.Item item, RecordMetadata m) {
                    if (verbose) {
                        synchronized (out) {
                            out.printf("sent %s %s -> %s-%d@%d%n", item.imageId(),
                                    item.valid() ? item.label() : "bad:" + item.kind(), m.topic(), m.partition(),
                                    m.offset());
                        }
                    }
                }

                @Override
                public void failed(SyntheticProducer.Item item, Exception error) {
                    synchronized (err) {
                        err.printf("error: record %s was not sent: %s%n", item.key(), error.getMessage());
                    }
                }

                @Override
                public void progress(int handedOver, int total, java.time.Duration elapsed) {
                    long now = System.nanoTime();
                    if (now - lastProgress >= PROGRESS_INTERVAL_NANOS || handedOver == total) {
                        lastProgress = now;
                        printProgress(err, handedOver, total, elapsed);
                    }
                }
            });
        }
        out.printf(java.util.Locale.ROOT, "sent=%d failed=%d valid=%d bad=%d bytes=%d topic=%s records_per_s=%.1f%n",
                summary.sent(), summary.failed(), summary.valid(), summary.bad(), summary.bytes(), topic,
                summary.recordsPerSecond());
        out.flush();
        return summary.failed() == 0 ? 0 : 1;
    }

    /** One progress line: count, percentage, rate and the estimated time left. */
    static void printProgress(PrintWriter err, int done, int total, java.time.Duration elapsed) {
        double seconds = Math.max(1e-9, elapsed.toNanos() / 1e9);
        double perSecond = done / seconds;
        long eta = perSecond <= 0 ? 0 : Math.round((total - done) / perSecond);
        synchronized (err) {
            err.printf(java.util.Locale.ROOT, "progress %d/%d (%d%%) %.1f records/s eta %ds%n", done, total,
                    total == 0 ? 100 : done * 100L / total, perSecond, eta);
            err.flush();
        }
    }

    private Optional<ImageRecord> toRecord(Path file, PrintWriter err) {
        byte[] data;
        try {
            long size = Files.size(file);
            if (size > maxImageBytes) {
                err.printf("error: %s is %d bytes, over the limit of %d bytes (--max-image-bytes); not sent%n",
                        file, size, maxImageBytes);
                return Optional.empty();
            }
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            err.printf("error: cannot read %s: %s%n", file, e.getMessage());
            return Optional.empty();
        }
        Optional<String> contentType = ImageFormats.sniff(data);
        if (contentType.isEmpty() && !noFormatCheck) {
            err.printf("error: %s is not a JPEG, PNG, GIF or BMP image (found %s); not sent (use --no-format-check to send it anyway)%n",
                    file, data.length == 0 ? "an empty file" : "unrecognised leading bytes");
            return Optional.empty();
        }
        String groundTruth = label;
        if (labelFromDir && file.toAbsolutePath().getParent() != null) {
            groundTruth = file.toAbsolutePath().getParent().getFileName().toString();
        }
        return Optional.of(ImageRecord.newBuilder()
                .setImageId(UUID.randomUUID().toString())
                .setSource(source)
                .setCapturedAt(Instant.now())
                .setContentType(contentType.orElse("application/octet-stream"))
                .setData(ByteBuffer.wrap(data))
                .setLabel(groundTruth)
                .setMetadata(Map.of("fileName", file.getFileName().toString()))
                .build());
    }

    private static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IllegalArgumentException("no such file or folder: " + p);
            }
        }
        return files;
    }

    private record Pending(Path file, String imageId, java.util.concurrent.Future<RecordMetadata> result) {
    }
}
