package dev.retina.cli.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topics of the Retina pipeline with their default names and settings, as the embedded stack
 * creates them. Names are defaults only: every component takes its topic names from configuration.
 *
 * <p>Sizes: {@link #IMAGES} accepts records up to {@value #IMAGES_MAX_MESSAGE_BYTES} bytes (the
 * producer's default image limit of 8 MiB plus headroom); {@link #IMAGES_DLQ} a little more, since a
 * dead letter carries the original image bytes unchanged plus its diagnosis; {@link #MODELS} is
 * compacted (the latest release per model name survives) and takes ONNX files up to
 * {@value #MODELS_MAX_MESSAGE_BYTES} bytes; bigger models are published by URI.
 */
public final class DefaultTopics {

    /** Input images ({@code ImageRecord}), keyed by image id. */
    public static final String IMAGES = "images";
    /** One {@code ClassificationResult} per image, keyed like the input. */
    public static final String IMAGE_CLASSIFICATIONS = "image-classifications";
    /** Windowed {@code FeatureStats}, keyed by window and model version. */
    public static final String IMAGE_STATS = "image-stats";
    /** {@code DeadLetter}s for every record that could not be processed. */
    public static final String IMAGES_DLQ = "images-dlq";
    /** {@code ModelRelease}s, compacted, keyed by model name. */
    public static final String MODELS = "models";

    public static final int IMAGES_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    public static final int IMAGES_DLQ_MAX_MESSAGE_BYTES = 17 * 1024 * 1024;
    public static final int MODELS_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    /** Partitions of the data topics: enough for a few app instances to share the work. */
    public static final int DATA_PARTITIONS = 3;

    private DefaultTopics() {
    }

    /** Specifications of all five topics for a cluster where {@code replicationFactor} copies are possible. */
    public static List<NewTopic> specs(short replicationFactor) {
        return List.of(
                new NewTopic(IMAGES, DATA_PARTITIONS, replicationFactor).configs(Map.of(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(IMAGES_MAX_MESSAGE_BYTES))),
                new NewTopic(IMAGE_CLASSIFICATIONS, DATA_PARTITIONS, replicationFactor),
                new NewTopic(IMAGE_STATS, DATA_PARTITIONS, replicationFactor),
                new NewTopic(IMAGES_DLQ, DATA_PARTITIONS, replicationFactor).configs(Map.of(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(IMAGES_DLQ_MAX_MESSAGE_BYTES))),
                // One partition: releases of all models in one total order, which every instance replays.
                new NewTopic(MODELS, 1, replicationFactor).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MODELS_MAX_MESSAGE_BYTES))));
    }

    /**
     * Creates those of the five topics that do not exist yet (existing ones are left exactly as they
     * are) and returns the names created.
     */
    public static List<String> createMissing(Admin admin, short replicationFactor)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (NewTopic spec : specs(replicationFactor)) {
            if (!existing.contains(spec.name())) {
                missing.add(spec);
            }
        }
        List<String> names = missing.stream().map(NewTopic::name).toList();
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            awaitDescribable(admin, names, Duration.ofSeconds(30));
        }
        return names;
    }

    /**
     * Waits until every topic in {@code names} can be described. A topic the controller has created
     * reaches the brokers' metadata a moment later; a client asking in between gets
     * UnknownTopicOrPartition, so whoever is told "ready" next must not be able to see that gap.
     */
    public static void awaitDescribable(Admin admin, Collection<String> names, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
