package dev.retina.streams.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.model.Labels;
import dev.retina.engine.model.ModelPackage;
import dev.retina.schemas.avro.ModelRelease;
import dev.retina.schemas.registry.AvroSerde;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot-reloading {@link LiveModel} of an application instance: a {@link ModelManager} with its validator and
 * the sources the settings name (an initial package directory, the model repository, the models topic), started
 * together and closed together. {@link #start} returns once a first model serves, or fails with what every source
 * offered and why it was rejected.
 */
public final class ReloadingModel implements LiveModel {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingModel.class);

    private final ModelManager manager;
    private final Deque<AutoCloseable> owned;

    private ReloadingModel(ModelManager manager, Deque<AutoCloseable> owned) {
        this.manager = manager;
        this.owned = owned;
    }

    /**
     * Starts the manager and its sources on {@code engine} (owned by the caller) and waits up to
     * {@code settings.startWait()} for a first valid model.
     *
     * @throws ModelUnavailableException if no valid model serves in time; the message lists the rejections
     * @throws InterruptedException      if interrupted while waiting
     */
    public static ReloadingModel start(ModelReloadSettings settings, Engine engine) throws InterruptedException {
        Deque<AutoCloseable> owned = new ArrayDeque<>();
        try {
            ModelValidator validator = new ModelValidator(engine, settings.validation());
            owned.push(validator);
            ModelManager manager = new ModelManager(settings.modelName(), validator, settings.retireGrace());
            owned.push(manager);
            if (settings.initialDir().isPresent()) {
                manager.offer(readPackage(settings.modelName(), settings.initialDir().get()));
            }
            if (settings.repository().isPresent()) {
                owned.push(new DirectoryModelSource(settings.repository().get(), manager, settings.pollInterval())
                    .start());
            }
            if (settings.followTopic()) {
                AvroSerde<ModelRelease> serde = new AvroSerde<>(ModelRelease.class);
                serde.configure(settings.registryConfig(), false);
                owned.push(serde);
                owned.push(new ModelTopicSource(settings.consumerConfig(), settings.topic(), serde.deserializer(),
                    manager, settings.validation().limits().maxFileBytes()).start());
            }
            if (!manager.awaitModel(settings.startWait())) {
                throw new ModelUnavailableException("no valid version of model '" + settings.modelName()
                    + "' within " + settings.startWait().toMillis() + " ms; expected one from " + sources(settings)
                    + ", rejected: " + describe(manager.history().events(ReloadHistory.Outcome.REJECTED)));
            }
            return new ReloadingModel(manager, owned);
        } catch (RuntimeException | InterruptedException e) {
            closeAll(owned);
            throw e;
        }
    }

    /** The manager, for pins, history and metrics. */
    public ModelManager manager() {
        return manager;
    }

    @Override
    public ServingModel current() {
        return manager.current();
    }

    /** Stops the sources, then the manager (releasing every session), then the validator. */
    @Override
    public void close() {
        closeAll(owned);
    }

    /** A package directory as a candidate of {@code name}, versioned by the directory's own name. */
    static ModelCandidate readPackage(String name, Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        String version = abs.getFileName() == null ? "0" : abs.getFileName().toString();
        try {
            byte[] onnx = Files.readAllBytes(abs.resolve(ModelPackage.MODEL_FILE));
            List<String> labels = Labels.parse(Files.readAllBytes(abs.resolve(ModelPackage.LABELS_FILE)));
            String spec = Files.readString(abs.resolve(ModelPackage.PREPROCESS_FILE), StandardCharsets.UTF_8);
            Path golden = abs.resolve(DirectoryModelSource.GOLDEN_DIR);
            return new ModelCandidate(name, version, null, onnx, labels, spec,
                Files.isDirectory(golden) ? GoldenSetDirectory.read(golden) : List.of(), abs.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("model package " + dir + ": cannot read " + e.getMessage()
                + "; expected model.onnx, labels.txt and preprocess.json", e);
        }
    }

    private static String sources(ModelReloadSettings s) {
        StringBuilder b = new StringBuilder();
        s.initialDir().ifPresent(d -> b.append("model.dir ").append(d).append("; "));
        s.repository().ifPresent(r -> b.append("model.repository ").append(r.resolve(s.modelName())).append("; "));
        if (s.followTopic()) {
            b.append("topic ").append(s.topic()).append("; ");
        }
        return b.substring(0, Math.max(0, b.length() - 2));
    }

    private static String describe(List<ReloadHistory.Event> rejected) {
        if (rejected.isEmpty()) {
            return "none (nothing was offered)";
        }
        StringBuilder b = new StringBuilder();
        for (ReloadHistory.Event e : rejected) {
            b.append(e.version()).append(": ").append(e.reason()).append(": ").append(e.message()).append("; ");
        }
        return b.substring(0, b.length() - 2);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("Failed to close {}", r, e);
            }
        }
    }

    @Override
    public String toString() {
        return "reloading model " + manager.modelName() + " serving "
            + manager.active().map(Object::toString).orElse("nothing");
    }
}
