package dev.retina.streams;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the application's topics exist before Kafka Streams starts: missing ones are created with
 * {@code topic.partitions} and {@code topic.replication.factor} (or, with {@code topics.create=false}, reported).
 * Existing topics are left as they are.
 */
final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final long TIMEOUT_SECONDS = 60;

    /** A topic to check, with the topic-level configs to create it with. */
    record Wanted(String name, Map<String, String> configs) {
    }

    private TopicSetup() {
    }

    /**
     * Creates the missing topics among {@code wanted}, or fails naming them when creation is off.
     *
     * @return the names of the topics created
     * @throws IllegalStateException if topics are missing and creation is off, or the cluster does not answer
     */
    static List<String> ensure(Admin admin, AppConfig config, Collection<Wanted> wanted) {
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list the topics of the Kafka cluster at "
                + config.bootstrapServers() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while listing topics", e);
        }
        List<NewTopic> missing = new ArrayList<>();
        for (Wanted w : wanted) {
            if (!existing.contains(w.name())) {
                missing.add(new NewTopic(w.name(), Optional.of(config.topicPartitions()),
                    config.topicReplicationFactor()).configs(w.configs()));
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        List<String> names = missing.stream().map(NewTopic::name).toList();
        if (!config.createTopics()) {
            throw new IllegalStateException("Missing topics " + names + " on " + config.bootstrapServers()
                + "; create them, or set " + AppConfig.TOPICS_CREATE + "=true to let the application create them");
        }
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e
                : admin.createTopics(missing).values().entrySet()) {
            try {
                e.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                created.add(e.getKey());
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) { // another instance was quicker: fine
                    throw new IllegalStateException("Cannot create topic " + e.getKey() + ": " + ex.getCause(), ex);
                }
            } catch (TimeoutException ex) {
                throw new IllegalStateException("Timed out creating topic " + e.getKey(), ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topics", ex);
            }
        }
        LOG.info("Created topics {} ({} partitions, replication factor {})", created, config.topicPartitions(),
            config.topicReplicationFactor().map(String::valueOf).orElse("broker default"));
        return created;
    }
}
