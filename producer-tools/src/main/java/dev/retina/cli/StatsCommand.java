package dev.retina.cli;

import dev.retina.schemas.avro.FeatureStats;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code retina stats}: prints the FeatureStats windows of the statistics topic, one compact table per window with
 * a bar chart of its class distribution ({@link StatsTable}), or one JSON object per line with {@code --json}.
 * Reads from the beginning of the topic: what was committed when it started is printed sorted by window start
 * (partitions interleave windows), then, with {@code --follow}, each new window as it arrives until Ctrl-C; without
 * it the command ends. A record that is not a FeatureStats is reported (after the sorted windows), never skipped
 * silently, whatever {@code --model} says, since it could be any model's.
 *
 * <p>JSON lines carry the FeatureStats fields under their schema names, timestamps as ISO-8601 UTC strings; a record
 * that does not decode is {@code {"partition":P,"offset":O,"undecodable":"why"}}.
 */
@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the per-window feature statistics of the app (FeatureStats on the stats topic):",
            "counts, top classes, confidence, accuracy, latency and drift, with a bar chart of the classes."})
public final class StatsCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(names = {"-t", "--topic"}, paramLabel = "TOPIC", defaultValue = "${env:RETINA_STATS_TOPIC:-image-stats}",
            description = "Statistics topic, the app's stats.topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = {"-f", "--follow"},
            description = "Keep printing new windows until Ctrl-C, instead of stopping at the end of the topic.")
    boolean follow;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME[:VERSION]",
            description = "Only windows of this model, or of this version of it.")
    String model;

    @Option(names = "--source", paramLabel = "SOURCE",
            description = "Only windows of this image source (when the app keeps statistics per source,"
                    + " stats.by.source=true).")
    String source;

    @Option(names = {"-n", "--max"}, paramLabel = "N", defaultValue = "0",
            description = "Stop after printing N windows (0 = no limit).")
    long max;

    @Option(names = "--json", description = "One JSON object per window (for scripts) instead of the table.")
    boolean json;

    @Option(names = "--no-chart", description = "Leave out the bar chart of the class distribution.")
    boolean noChart;

    @Option(names = "--ascii", description = "Draw the chart with '#' (chosen by itself when the terminal"
            + " encoding has no block characters).")
    boolean ascii;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "15s",
            description = "How long to wait for the cluster to answer (default: ${DEFAULT-VALUE}).")
    String connectTimeout;

    @Override
    public Integer call() throws InterruptedException {
        ModelFilter filter = parseFilter();
        if (source != null && source.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--source must name an image source, found a blank");
        }
        if (max < 0) {
            throw new ParameterException(spec.commandLine(), "--max must be >= 0 (0 = no limit), found " + max);
        }
        Duration timeout = Durations.parse("--connect-timeout", connectTimeout, spec);
        if (timeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--connect-timeout must be positive, found "
                    + connectTimeout);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StatsTable table = new StatsTable(!noChart, !ascii && terminalShowsBlocks());
        Map<String, Object> config = kafka.clientConfig();
        try (FeatureStatsReader reader = FeatureStatsReader.open(config, topic, timeout)) {
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                reader.wakeup();
                try {
                    done.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "retina-stats-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                long printed = read(reader, filter, table, out);
                if (printed == 0 && !follow) {
                    // Not an error: windows appear only once they close. Said on stderr so scripts see no output.
                    err.println("retina stats: no windows" + (filter == null ? "" : " of " + filter)
                            + (source == null ? "" : " from source " + source) + " on topic '"
                            + topic + "' yet; a window is written once it closes (stats.window.ms + stats.grace.ms"
                            + " after its start, when newer images arrive)");
                }
            } catch (WakeupException stopped) {
                // Ctrl-C: the windows printed so far are the output.
            } finally {
                done.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shutdownInProgress) {
                    // The hook is running; it only waits for `done`.
                }
            }
        }
        out.flush();
        err.flush();
        return 0;
    }

    /**
     * Prints the backlog (everything committed when the command started) sorted by window start, since partitions
     * interleave windows; then, with --follow, each window as it arrives. Returns the number of windows printed.
     */
    private long read(FeatureStatsReader reader, ModelFilter filter, StatsTable table, PrintWriter out) {
        Map<TopicPartition, Long> ends = reader.endOffsets();
        List<FeatureStatsReader.Entry> backlog = new ArrayList<>();
        while (!reader.reached(ends)) {
            backlog.addAll(reader.poll(Duration.ofMillis(200)));
        }
        backlog.sort(BACKLOG_ORDER);
        Printer printer = new Printer(filter, table, out);
        for (FeatureStatsReader.Entry e : backlog) {
            if (printer.print(e)) {
                return printer.printed;
            }
        }
        while (follow) {
            for (FeatureStatsReader.Entry e : reader.poll(Duration.ofMillis(200))) {
                if (printer.print(e)) {
                    return printer.printed;
                }
            }
        }
        return printer.printed;
    }

    /** Windows by start, model and version; records that did not decode last, by position. */
    private static final Comparator<FeatureStatsReader.Entry> BACKLOG_ORDER = Comparator
            .comparing((FeatureStatsReader.Entry e) -> e.stats() == null)
            .thenComparing(e -> e.stats() == null ? Instant.EPOCH : e.stats().getWindowStart())
            .thenComparing(e -> e.stats() == null ? "" : e.stats().getModelName())
            .thenComparing(e -> e.stats() == null ? "" : e.stats().getModelVersion())
            .thenComparingInt(FeatureStatsReader.Entry::partition)
            .thenComparingLong(FeatureStatsReader.Entry::offset);

    /** Prints entries that pass the filter, counting windows against --max. */
    private final class Printer {
        private final ModelFilter filter;
        private final StatsTable table;
        private final PrintWriter out;
        private long printed;
        private boolean first = true;

        Printer(ModelFilter filter, StatsTable table, PrintWriter out) {
            this.filter = filter;
            this.table = table;
            this.out = out;
        }

        /** Prints one entry; true once --max windows have been printed. */
        boolean print(FeatureStatsReader.Entry e) {
            FeatureStats s = e.stats();
            if (s != null && ((filter != null && !filter.matches(s.getModelName(), s.getModelVersion()))
                    || (source != null && !source.equals(s.getSource())))) {
                return false;
            }
            if (json) {
                out.println(json(e));
            } else {
                if (!first) {
                    out.println();
                }
                first = false;
                if (s == null) {
                    out.println(e.partition() + "@" + e.offset() + " " + e.problem());
                } else {
                    table.render(s).forEach(out::println);
                }
            }
            out.flush();
            return s != null && max > 0 && ++printed >= max;
        }
    }

    static String json(FeatureStatsReader.Entry e) {
        StringBuilder b = new StringBuilder(512);
        if (e.stats() == null) {
            b.append("{\"partition\":").append(e.partition()).append(",\"offset\":").append(e.offset())
                    .append(",\"undecodable\":");
            TailCommand.Json.string(b, e.problem());
            return b.append('}').toString();
        }
        TailCommand.Json.value(b, e.stats());
        return b.toString();
    }

    private ModelFilter parseFilter() {
        if (model == null) {
            return null;
        }
        try {
            return ModelFilter.parse(model);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for --model: " + e.getMessage());
        }
    }

    /** Whether standard output's encoding can show the chart's block characters (not so in a POSIX locale). */
    static boolean terminalShowsBlocks() {
        String name = System.getProperty("stdout.encoding", System.getProperty("sun.stdout.encoding"));
        Charset charset;
        try {
            charset = name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return false;
        }
        return charset.newEncoder().canEncode("█▏▎▍▌▋▊▉…");
    }
}
