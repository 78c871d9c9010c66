package dev.retina.streams.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How an application instance finds and checks the versions of the model it serves.
 *
 * @param modelName       the model served (releases and repository directories of other names are ignored)
 * @param initialDir      a package directory offered first, as version {@code <dir name>} (setting {@code model.dir});
 *                        optional
 * @param repository      the model repository root {@code <repo>/<name>/<version>/} (setting {@code model.repository});
 *                        optional
 * @param pollInterval    how often the repository is scanned ({@code model.poll.interval.ms})
 * @param followTopic     whether the models topic is followed ({@code models.follow})
 * @param topic           the models topic ({@code models.topic})
 * @param consumerConfig  Kafka client settings for the topic reader (bootstrap servers, security)
 * @param registryConfig  settings of the ModelRelease deserializer (schema registry URL and auth)
 * @param validation      what a candidate must pass
 * @param retireGrace     how long a replaced model stays usable by records that already hold it
 * @param startWait       how long the start waits for a first valid model before giving up
 */
public record ModelReloadSettings(String modelName, Optional<Path> initialDir, Optional<Path> repository,
                                  Duration pollInterval, boolean followTopic, String topic,
                                  Map<String, Object> consumerConfig, Map<String, Object> registryConfig,
                                  ValidationSettings validation, Duration retireGrace, Duration startWait) {

    public ModelReloadSettings {
        ModelTopic.checkName(modelName);
        Objects.requireNonNull(initialDir, "initialDir");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(topic, "topic");
        consumerConfig = Map.copyOf(consumerConfig);
        registryConfig = Map.copyOf(registryConfig);
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(retireGrace, "retireGrace");
        Objects.requireNonNull(startWait, "startWait");
        if (initialDir.isEmpty() && repository.isEmpty() && !followTopic) {
            throw new IllegalArgumentException("expected at least one model source (model.dir, model.repository or "
                + "models.follow=true), found none");
        }
    }

    /** True when versions can change while the application runs. */
    public boolean reloads() {
        return repository.isPresent() || followTopic;
    }
}
