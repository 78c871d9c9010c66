package dev.retina.streams.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.retina.schemas.avro.ErrorReason;
import dev.retina.streams.model.ModelIdentity;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.apache.kafka.streams.KafkaStreams;

/**
 * The application's own meters, in Prometheus naming once scraped:
 *
 * <ul>
 *   <li>{@code retina_images_classified_total{model,version}}: results written;</li>
 *   <li>{@code retina_dead_letters_total{reason}}: dead letters by reason code, every code present from the start
 *       (at 0) so that rates and alerts work before the first failure;</li>
 *   <li>{@code retina_stage_seconds{stage=decode|inference|end_to_end}}: per-stage latency histograms (Prometheus
 *       buckets, so percentiles aggregate across instances);</li>
 *   <li>{@code retina_model_info{model,version,sha256}}: 1 for the model being served;</li>
 *   <li>Kafka Streams' own metrics, bound with Micrometer's {@link KafkaStreamsMetrics}.</li>
 * </ul>
 * Every meter carries the tag {@code instance}. Thread-safe.
 */
public final class PipelineMetrics implements AutoCloseable {

    /** Key under which the Streams configuration hands this object to the exception handlers. */
    public static final String CONFIG_KEY = "retina.metrics";

    private final MeterRegistry registry;
    private final Map<ErrorReason, Counter> deadLetters = new EnumMap<>(ErrorReason.class);
    private final Map<ModelIdentity, Counter> classified = new ConcurrentHashMap<>();
    private final Timer decode;
    private final Timer inference;
    private final Timer endToEnd;
    private final AtomicReference<ModelIdentity> model = new AtomicReference<>();
    private final AtomicReference<KafkaStreamsMetrics> streamsMetrics = new AtomicReference<>();

    public PipelineMetrics(MeterRegistry registry, String instanceId) {
        this.registry = Objects.requireNonNull(registry, "registry");
        registry.config().commonTags(Tags.of("instance", instanceId));
        for (ErrorReason reason : ErrorReason.values()) {
            deadLetters.put(reason, Counter.builder("retina.dead.letters")
                .description("Input records written to the dead-letter topic, by reason")
                .tag("reason", reason.name())
                .register(registry));
        }
        this.decode = stageTimer("decode");
        this.inference = stageTimer("inference");
        this.endToEnd = stageTimer("end_to_end");
    }

    /** Metrics in a fresh Prometheus registry. */
    public static PipelineMetrics prometheus(String instanceId) {
        return new PipelineMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), instanceId);
    }

    private Timer stageTimer(String stage) {
        return Timer.builder("retina.stage")
            .description("Time spent per image in a pipeline stage (decode includes preprocessing; end_to_end runs "
                + "from the input record's timestamp to the result)")
            .tag("stage", stage)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(2))
            .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Counts one result and its stage times. */
    public void classified(ModelIdentity by, double decodeMillis, double inferenceMillis, double endToEndMillis) {
        classified.computeIfAbsent(by, id -> Counter.builder("retina.images.classified")
            .description("Images classified (results written)")
            .tags("model", id.name(), "version", id.version())
            .register(registry)).increment();
        decode.record(nanos(decodeMillis), TimeUnit.NANOSECONDS);
        inference.record(nanos(inferenceMillis), TimeUnit.NANOSECONDS);
        endToEnd.record(nanos(endToEndMillis), TimeUnit.NANOSECONDS);
    }

    /** Counts one dead letter. */
    public void deadLettered(ErrorReason reason) {
        deadLetters.get(reason).increment();
    }

    /** How many dead letters of {@code reason} were counted. */
    public double deadLetters(ErrorReason reason) {
        return deadLetters.get(reason).count();
    }

    /** How many results {@code by} produced. */
    public double classifiedBy(ModelIdentity by) {
        Counter c = classified.get(by);
        return c == null ? 0 : c.count();
    }

    /** Marks {@code serving} as the model being served ({@code retina_model_info} 1; a previous one goes to 0). */
    public void modelServed(ModelIdentity serving) {
        ModelIdentity previous = model.getAndSet(serving);
        if (!serving.equals(previous)) {
            Gauge.builder("retina.model.info", model, ref -> serving.equals(ref.get()) ? 1 : 0)
                .description("1 for the model version this instance serves")
                .tags("model", serving.name(), "version", serving.version(), "sha256", serving.sha256())
                .register(registry);
        }
    }

    /** Binds Kafka Streams' client metrics (threads, tasks, consumer, producer) to the registry. */
    public void bind(KafkaStreams streams) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        KafkaStreamsMetrics old = streamsMetrics.getAndSet(binder);
        if (old != null) {
            old.close();
        }
    }

    /** The Prometheus text exposition, or null when the registry is not a Prometheus one. */
    public String scrape() {
        return registry instanceof PrometheusMeterRegistry prometheus ? prometheus.scrape() : null;
    }

    @Override
    public void close() {
        KafkaStreamsMetrics binder = streamsMetrics.getAndSet(null);
        if (binder != null) {
            binder.close();
        }
        registry.close();
    }

    private static long nanos(double millis) {
        return Math.max(0L, Math.round(millis * 1_000_000.0));
    }
}
