package dev.retina.cli;

import dev.retina.cli.embedded.DefaultTopics;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.DeadLetter;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import dev.retina.streams.TerminationSignals;
import dev.retina.streams.stats.DriftReference;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code retina demo}: the whole pipeline in one process. An embedded Kafka broker and schema registry, the streams
 * application serving the shipped shapes model ({@code models/shapes/1}, see {@link ModelLocator}), and a producer
 * of synthetic labelled images; every classification and dead letter is printed as it is committed, with a running
 * summary every two seconds, and every closed statistics window (FeatureStats, {@code --stats-window} long) as a
 * table ({@link StatsTable}) when it is emitted.
 *
 * <p>Windows are tumbling windows on event time (the image record's timestamp) and close only when an image with an
 * event time past their end plus the grace period arrives, so the window holding the last images stays open when the
 * producer stops; the demo says so at the end instead of sending images nobody asked for. Before the summary it
 * prints one {@code statistics: ...} line: how many windows were emitted, with how many images, whether each window
 * counted exactly the classifications the demo read with event times inside it, and how many images sit in windows
 * still open.
 *
 * <p>Without {@code --exit-when-done} it keeps running after the last image until Ctrl-C or SIGTERM. With it, it
 * ends once every produced record has a result or a dead letter (or {@code --timeout} passed since the last image
 * was sent) and prints exactly one line
 * {@code produced=N classified=C dead_lettered=D lost=L duplicates=U accuracy=A images_per_s=T}; the exit code is 0
 * only when {@code lost=0}, {@code duplicates=0} and every emitted window's count matches. Results are read with
 * {@code read_committed}, and before the final line the demo waits until the application has committed its progress
 * over every input record and the reader has caught up with everything committed, so late duplicates would be
 * counted.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run the whole pipeline in this process: embedded Kafka and schema registry, the streams app with the",
            "shipped shapes model, and a producer of synthetic labelled images; prints live classifications and",
            "each statistics window (FeatureStats) as it closes.",
            "With --exit-when-done it ends with one line: produced=N classified=C dead_lettered=D lost=L"
                    + " duplicates=U accuracy=A images_per_s=T"
        })
public final class DemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
    private static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(2);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-n", "--images"}, paramLabel = "N", defaultValue = "200",
            description = "Synthetic images to send (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "20",
            description = "Records per second; 0 sends as fast as the broker takes them (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--bad", paramLabel = "N", defaultValue = "0",
            description = "Also send N malformed records, cycling through the 11 kinds (11 or more covers every kind),"
                    + " to watch them dead-lettered (default: ${DEFAULT-VALUE}).")
    int bad;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the synthetic images (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--exit-when-done",
            description = "End once every record is accounted for, with one summary line; exit 0 only if lost=0"
                    + " and duplicates=0.")
    boolean exitWhenDone;

    @Option(names = {"-m", "--model-dir"}, paramLabel = "DIR",
            description = "Model package to serve (default: models/shapes/1 of the repository).")
    Path modelDir;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "120s",
            description = "With --exit-when-done: give up this long after the last record was sent"
                    + " (default: ${DEFAULT-VALUE}).")
    String timeoutText;

    @Option(names = {"-q", "--quiet"}, description = "No line per image; only the running summary and the windows.")
    boolean quiet;

    // Short enough that the default run (200 images at 20/s, ten seconds) closes at least one window.
    @Option(names = "--stats-window", paramLabel = "DURATION", defaultValue = "5s",
            description = "Length of the app's statistics windows (stats.window.ms; default: ${DEFAULT-VALUE}).")
    String statsWindowText;

    @Option(names = "--stats-grace", paramLabel = "DURATION", defaultValue = "1s",
            description = "How long a window waits for late images after its end (stats.grace.ms;"
                    + " default: ${DEFAULT-VALUE}).")
    String statsGraceText;

    @Option(names = "--reference", paramLabel = "FILE",
            description = "Drift reference of the served model version (retina evaluate --write-reference) to compare"
                    + " every window with, instead of its first full window (stats.reference.files).")
    Path referenceFile;

    private Duration statsWindow;
    private Duration statsGrace;

    /** The process environment (for RETINA_HOME); tests replace it. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws Exception {
        Duration timeout = checkArguments();
        Path model = resolveModel();
        checkReference(model);
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory("retina-demo-");
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            awaitQuietly(finished, SETTLE_TIMEOUT);
        }, "retina-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (!exitWhenDone) {
            TerminationSignals.install(stop::countDown);
        }
        try (StackCommand.RunningStack stack = StackCommand.RunningStack.start(null, "localhost", 0, 0)) {
            return run(stack, model, work, timeout, stop, out);
        } finally {
            deleteTree(work);
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shutdownInProgress) {
                // The hook is running and waits for `finished`, which is now counted down.
            }
        }
    }

    private int run(StackCommand.RunningStack stack, Path model, Path work, Duration timeout, CountDownLatch stop,
                    PrintWriter out) throws Exception {
        String bootstrap = stack.kafka.bootstrapServers();
        String modelName = model.getParent().getFileName().toString();
        String modelVersion = model.getFileName().toString();
        // The demo's app follows the models topic, so a release published from another terminal swaps in live.
        publishRelease(bootstrap, stack.registry.url(), model, modelName, modelVersion);
        Map<String, String> settings = new HashMap<>();
        settings.put(AppConfig.APPLICATION_ID, "retina-demo");
        settings.put(AppConfig.BOOTSTRAP_SERVERS, bootstrap);
        settings.put(AppConfig.SCHEMA_REGISTRY_URL, stack.registry.url());
        settings.put(AppConfig.MODELS_FOLLOW, "true");
        settings.put(AppConfig.MODEL_NAME, modelName);
        settings.put(AppConfig.HTTP_HOST, "localhost");
        settings.put(AppConfig.HTTP_PORT, "0");
        settings.put(AppConfig.KAFKA_PREFIX + "state.dir", work.resolve("state").toString());
        settings.put(AppConfig.KAFKA_PREFIX + "commit.interval.ms", "100");
        settings.put(AppConfig.KAFKA_PREFIX + "consumer.auto.offset.reset", "earliest");
        settings.put(AppConfig.STATS_ENABLED, "true");
        settings.put(AppConfig.STATS_WINDOW_MS, Long.toString(statsWindow.toMillis()));
        settings.put(AppConfig.STATS_GRACE_MS, Long.toString(statsGrace.toMillis()));
        if (referenceFile != null) {
            settings.put(AppConfig.STATS_REFERENCE_FILES, referenceFile.toAbsolutePath().toString());
        }
        AppConfig config = AppConfig.of(settings);
        Map<String, Object> clients = new HashMap<>();
        clients.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        clients.put("schema.registry.url", stack.registry.url());
        try (StreamsAppRunner app = StreamsAppRunner.start(config);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                AvroSerde<ImageRecord> serde = new AvroSerde<>(ImageRecord.class,
                        SchemaRegistryClient.forUrl(stack.registry.url()), false);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap),
                        new StringSerializer(), new ByteArraySerializer())) {
            awaitRunning(app, stop);
            SyntheticProducer feed = new SyntheticProducer(producer, config.inputTopic(), serde.serializer(),
                    new SyntheticImages(seed, images, "retina-demo"), bad, rate);
            ResultTally tally = new ResultTally(feed.plan());
            AtomicLong lastAnswerNanos = new AtomicLong();
            print(out, String.format(Locale.ROOT, "retina demo: kafka=%s schema_registry=%s http=%s model=%s:%s"
                    + " images=%d bad=%d rate=%s stats_window=%s", bootstrap, stack.registry.url(),
                    AppCommand.httpAddress(config, app.httpPort()), model.getParent().getFileName(),
                    model.getFileName(), images, bad, rate > 0 ? rate + "/s" : "max", statsWindowText));
            print(out, String.format(Locale.ROOT, "retina demo: swap models live from another terminal with"
                    + " ./retina publish-model -b %s -r %s --model-dir DIR --name %s --version V",
                    bootstrap, stack.registry.url(), modelName));
            print(out, String.format(Locale.ROOT, "retina demo: statistics windows are printed here as they close;"
                    + " from another terminal: ./retina stats -b %s -r %s --follow", bootstrap,
                    stack.registry.url()));
            if (app.dashboard().isPresent()) {
                // Printed, never opened: the demo may run where no browser is.
                print(out, "retina demo: live dashboard at " + AppCommand.httpAddress(config, app.httpPort()) + "/");
            }
            WindowCheck windows = new WindowCheck(statsWindow);
            StatsTable table = new StatsTable(true, StatsCommand.terminalShowsBlocks());
            try (OutputWatcher watcher = OutputWatcher.start(clients, config.outputTopic(), config.dlqTopic(),
                    new LiveLines(tally, windows, out, lastAnswerNanos));
                    StatsWatcher statsWatcher = StatsWatcher.start(clients, config.statsTopic(), stats -> {
                        windows.window(stats);
                        printWindow(out, table, stats);
                    })) {
                long start = System.nanoTime();
                AtomicReference<Throwable> producerFailure = new AtomicReference<>();
                Thread sender = new Thread(() -> {
                    try {
                        feed.run(new SyntheticProducer.Listener() {
                            @Override
                            public void failed(SyntheticProducer.Item item, Exception error) {
                                tally.notProduced(item);
                                LOG.warn("Record {} was not sent: {}", item.key(), error.getMessage());
                            }
                        });
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        producerFailure.set(e);
                    }
                }, "retina-demo-producer");
                sender.start();
                long sentAt = waitForAnswers(tally, sender, start, timeout, stop, out, lastAnswerNanos, app);
                sender.interrupt();
                sender.join(TimeUnit.SECONDS.toMillis(30));
                if (producerFailure.get() != null) {
                    throw new IllegalStateException("the synthetic producer failed: "
                            + producerFailure.get().getMessage(), producerFailure.get());
                }
                settle(admin, config, watcher, statsWatcher, windows, stop);
                statsWatcher.close();
                WindowCheck.Summary windowSummary = windows.summary();
                print(out, statisticsLine(windowSummary));
                windowSummary.mismatches().forEach(m -> print(out, "statistics: MISMATCH " + m));
                ResultTally.Snapshot s = tally.snapshot();
                long end = lastAnswerNanos.get() == 0 ? System.nanoTime() : lastAnswerNanos.get();
                double seconds = Math.max(1e-9, (end - start) / 1e9);
                String line = s.summaryLine(s.classified() / seconds);
                if (s.unexpected() > 0 || s.wrongReason() > 0) {
                    LOG.warn("{} answers for records this demo did not send, {} dead letters with another reason"
                            + " than their kind's", s.unexpected(), s.wrongReason());
                }
                LOG.info("Demo done: sent for {} ms, answers complete after {} ms, end-to-end p50 {} ms p99 {} ms, {}",
                        TimeUnit.NANOSECONDS.toMillis(sentAt - start), TimeUnit.NANOSECONDS.toMillis(end - start),
                        String.format(Locale.ROOT, "%.1f", s.p50EndToEndMillis()),
                        String.format(Locale.ROOT, "%.1f", s.p99EndToEndMillis()), line);
                print(out, line);
                return exitWhenDone && (s.lost() > 0 || s.duplicates() > 0
                        || !windowSummary.mismatches().isEmpty()) ? 1 : 0;
            }
        }
    }

    /**
     * Prints the running summary until every produced record is answered (with --exit-when-done), the timeout after
     * the last send passed, or a stop was requested. Returns when the producer finished, in nanoTime.
     */
    private long waitForAnswers(ResultTally tally, Thread sender, long start, Duration timeout, CountDownLatch stop,
                                PrintWriter out, AtomicLong lastAnswer, StreamsAppRunner app)
            throws InterruptedException {
        long sentAt = 0;
        while (true) {
            boolean stopRequested = stop.await(SUMMARY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            ResultTally.Snapshot s = tally.snapshot();
            long now = System.nanoTime();
            if (!sender.isAlive() && sentAt == 0) {
                sentAt = now;
            }
            double seconds = Math.max(1e-9, ((lastAnswer.get() == 0 ? now : lastAnswer.get()) - start) / 1e9);
            print(out, String.format(Locale.ROOT, "progress: streams=%s answered=%d/%d classified=%d"
                    + " dead_lettered=%d duplicates=%d accuracy=%s images_per_s=%.1f p50_ms=%.1f p99_ms=%.1f",
                    app.state(), s.classified() + s.deadLettered(), s.produced(), s.classified(), s.deadLettered(),
                    s.duplicates(),
                    Double.isNaN(s.accuracy()) ? "n/a" : String.format(Locale.ROOT, "%.4f", s.accuracy()),
                    s.classified() / seconds, s.p50EndToEndMillis(), s.p99EndToEndMillis()));
            if (stopRequested || app.state() == KafkaStreams.State.ERROR
                    || app.state() == KafkaStreams.State.NOT_RUNNING) {
                return sentAt == 0 ? now : sentAt;
            }
            if (exitWhenDone && sentAt != 0
                    && (s.complete() || now - sentAt > timeout.toNanos())) {
                return sentAt;
            }
        }
    }

    /** One window: the table with the chart, its first line marked {@code stats }. */
    private static void printWindow(PrintWriter out, StatsTable table, FeatureStats stats) {
        List<String> lines = table.render(stats);
        synchronized (out) {
            out.println("stats " + lines.get(0));
            lines.subList(1, lines.size()).forEach(out::println);
            out.flush();
        }
    }

    /** The {@code statistics: ...} line before the summary. */
    private String statisticsLine(WindowCheck.Summary w) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "statistics: %d %s of %s emitted"
                + " (%d images)", w.windows(), w.windows() == 1 ? "window" : "windows", statsWindowText,
                w.windowImages()));
        if (w.windows() > 0 && w.mismatches().isEmpty()) {
            b.append(w.late() == 0 ? ", each counting exactly the classifications in it"
                    : ", each counting the classifications in it but " + w.late() + " images that arrived after"
                            + " their window closed, reported as late");
        } else if (w.windows() > 0) {
            b.append(", ").append(w.mismatches().size()).append(" problems with the counts");
        }
        if (w.openImages() > 0) {
            b.append(String.format(Locale.ROOT, "; %d images are in windows still open (from %s): windows close on"
                    + " event time, when an image later than their end + %s grace arrives, so the last one waits"
                    + " for newer images", w.openImages(), StatsTable.window(w.openFrom(), w.openFrom()
                    .plus(statsWindow)), statsGraceText));
        }
        return b.toString();
    }

    /**
     * Waits (bounded) until the application has committed its progress over every input record, the watchers have
     * read everything committed, and every window that the images read must have closed has arrived (the statistics
     * branch runs behind a repartition topic, so it may still be working when the input is all committed); so
     * duplicates written late and the last windows emitted are counted too.
     */
    private void settle(Admin admin, AppConfig config, OutputWatcher watcher, StatsWatcher statsWatcher,
                        WindowCheck windows, CountDownLatch stop) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && stop.getCount() > 0) {
            try {
                if (inputLag(admin, config) == 0 && watcher.caughtUp(admin)
                        && windows.closedWindowsReceived(statsGrace) && statsWatcher.caughtUp(admin)) {
                    return;
                }
            } catch (ExecutionException e) {
                LOG.warn("Cannot check the application's progress: {}", e.getCause().toString());
            }
            if (stop.await(100, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
        LOG.warn("The application did not commit all input, or emit every statistics window that must have closed,"
                + " within {}; the summary may miss late answers or windows", SETTLE_TIMEOUT);
    }

    /** Input records not yet committed by the application's consumer group. */
    private static long inputLag(Admin admin, AppConfig config) throws InterruptedException, ExecutionException {
        String topic = config.inputTopic();
        Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(List.of(topic)).allTopicNames().get()
                .get(topic).partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

    private static void awaitRunning(StreamsAppRunner app, CountDownLatch stop) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (app.state() != KafkaStreams.State.RUNNING) {
            if (app.state() == KafkaStreams.State.ERROR || app.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the streams application stopped while starting: " + app.state());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the streams application did not reach RUNNING within 60 s, it is "
                        + app.state());
            }
            if (stop.await(50, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("stopped while the streams application was starting");
            }
        }
    }

    private Duration checkArguments() {
        if (images < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--images must be >= 0, found " + images);
        }
        if (bad < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bad must be >= 0, found " + bad);
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--rate must be a number of records per second >= 0 (0: unpaced), found " + rate);
        }
        statsWindow = Durations.parse("--stats-window", statsWindowText, spec);
        statsGrace = Durations.parse("--stats-grace", statsGraceText, spec);
        if (statsWindow.toMillis() < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--stats-window must be a duration of at least 1ms, found " + statsWindowText);
        }
        Duration timeout = Durations.parse("--timeout", timeoutText, spec);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--timeout must be a positive duration, found " + timeoutText);
        }
        return timeout;
    }

    /**
     * Reads the reference before anything starts, so a broken file or one for another model version is refused with
     * its reason rather than ignored by the app.
     */
    private void checkReference(Path model) {
        if (referenceFile == null) {
            return;
        }
        DriftReference reference;
        try {
            reference = DriftReference.read(referenceFile);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "expected --reference to name a drift"
                    + " reference file: " + e.getMessage());
        }
        String served = model.getParent().getFileName() + ":" + model.getFileName();
        String described = reference.modelName() + ":" + reference.modelVersion();
        if (!served.equals(described)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "expected --reference to describe the"
                    + " served model " + served + ", found a reference for " + described + " in " + referenceFile);
        }
    }

    /** Publishes the starting model on the models topic, validated as {@code retina publish-model} does. */
    private void publishRelease(String bootstrap, String registryUrl, Path model, String name, String version) {
        CommandLine publish = new CommandLine(new PublishModelCommand());
        StringWriter messages = new StringWriter();
        publish.setOut(new PrintWriter(messages, true));
        publish.setErr(new PrintWriter(messages, true));
        int code = publish.execute("-b", bootstrap, "-r", registryUrl, "--model-dir", model.toString(),
                "--name", name, "--version", version);
        if (code != 0) {
            throw new IllegalStateException("cannot publish the demo model " + name + ":" + version + " from " + model
                    + ": " + messages.toString().strip());
        }
    }

    private Path resolveModel() {
        if (modelDir != null) {
            if (!Files.isDirectory(modelDir)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "expected --model-dir to name a model"
                        + " package directory, found " + (Files.exists(modelDir) ? "a file" : "nothing") + " at "
                        + modelDir);
            }
            return modelDir.toAbsolutePath().normalize();
        }
        return ModelLocator.find(ModelLocator.SHIPPED_SHAPES, environment).orElseThrow(() ->
                new IllegalStateException("cannot find the shipped model " + ModelLocator.SHIPPED_SHAPES
                        + " under " + ModelLocator.roots(environment) + " or their parents; give --model-dir DIR or"
                        + " set RETINA_HOME to the repository"));
    }

    private static Map<String, Object> producerConfig(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "retina-demo-producer");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DefaultTopics.IMAGES_MAX_MESSAGE_BYTES);
        return config;
    }

    /** Prints every answer as it is read and feeds the tally; runs on the watcher's thread. */
    private final class LiveLines implements OutputWatcher.Listener {
        private final ResultTally tally;
        private final WindowCheck windows;
        private final PrintWriter out;
        private final AtomicLong lastAnswer;

        LiveLines(ResultTally tally, WindowCheck windows, PrintWriter out, AtomicLong lastAnswer) {
            this.tally = tally;
            this.windows = windows;
            this.out = out;
            this.lastAnswer = lastAnswer;
        }

        @Override
        public void result(String key, ClassificationResult result, long timestamp) {
            tally.result(key, result);
            windows.result(key, result.getModel().getName(), result.getModel().getVersion(), timestamp);
            lastAnswer.set(System.nanoTime());
            if (quiet) {
                return;
            }
            SyntheticProducer.Item item = key == null ? null : tally.item(key);
            var top = result.getTopK().isEmpty() ? null : result.getTopK().get(0);
            String truth = result.getGroundTruthLabel();
            String verdict = truth == null || top == null ? "" : truth.equals(top.getLabel()) ? " ok" : " WRONG";
            print(out, String.format(Locale.ROOT, "image #%-5s %-12s -> %-12s %.3f%s  %s:%s  %.1f ms  %s-%d@%d  at %s",
                    item == null ? "?" : Integer.toString(item.index()), truth == null ? "(no label)" : truth,
                    top == null ? "(none)" : top.getLabel(), top == null ? 0.0 : top.getScore(), verdict,
                    result.getModel().getName(), result.getModel().getVersion(),
                    result.getTimings().getEndToEndMillis(), result.getLineage().getTopic(),
                    result.getLineage().getPartition(), result.getLineage().getOffset(),
                    Instant.ofEpochMilli(timestamp)));
        }

        @Override
        public void deadLetter(String key, DeadLetter letter) {
            tally.deadLetter(key, letter);
            lastAnswer.set(System.nanoTime());
            if (quiet) {
                return;
            }
            String message = letter.getMessage();
            if (message.length() > 100) {
                message = message.substring(0, 97) + "...";
            }
            print(out, String.format(Locale.ROOT, "dead letter %-34s %s at %s: %s", key, letter.getReason(),
                    letter.getStage(), message));
        }
    }

    private static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Cannot delete the demo's working directory {}: {}", dir, e.toString());
        }
    }
}
