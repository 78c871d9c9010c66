package dev.retina.streams.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.retina.engine.model.Labels;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.ModelPackageException;
import dev.retina.streams.model.ModelRejectedException.Reason;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a model repository directory and offers its versions to a {@link ModelManager}.
 *
 * <h2>Layout</h2>
 * <pre>
 * &lt;repo&gt;/&lt;name&gt;/&lt;version&gt;/model.onnx
 *                         labels.txt
 *                         preprocess.json
 *                         golden/&lt;label&gt;/&lt;image&gt;   (optional golden set)
 *                         READY                    (written last: the version is complete)
 * </pre>
 * <b>A version counts only once its {@code READY} marker exists.</b> Copy the files first and create the empty file
 * {@code READY} last; a directory without it (still being copied, or abandoned half-way) is never read, whatever
 * files it already holds. Writing the version elsewhere and renaming it into place also works as long as
 * {@code READY} is inside when the rename happens. Directories whose name starts with '.' are ignored. A version
 * whose {@code READY} marker or model file changes (touched again after an in-place fix) is read again; the manager
 * treats identical bytes as the same release.
 *
 * <p>The directory is polled every {@code pollInterval} (setting {@code model.poll.interval}, default 10 s) on the
 * source's own thread; {@link #pollNow()} polls at once (tests, a control command). Which version serves is the
 * manager's rule: the highest valid one unless pinned. Removing a version directory does not unload it.
 */
public final class DirectoryModelSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryModelSource.class);

    /** Name of the marker file that makes a version directory complete. */
    public static final String READY_MARKER = "READY";
    /** Optional golden-set sub-directory of a version, see {@link GoldenSetDirectory}. */
    public static final String GOLDEN_DIR = "golden";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(10);

    private record Signature(long readyModified, long modelModified, long modelSize) {
    }

    private final Path modelDir;
    private final ModelManager manager;
    private final Duration pollInterval;
    private final Map<String, Signature> seen = new HashMap<>();
    private final ScheduledExecutorService poller;
    private boolean missingLogged;

    /**
     * @param repository   the repository root; versions are read from {@code <repository>/<manager's model name>}
     * @param manager      receives the complete versions
     * @param pollInterval time between two scans, positive
     */
    public DirectoryModelSource(Path repository, ModelManager manager, Duration pollInterval) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.modelDir = repository.resolve(manager.modelName());
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("expected a positive model.poll.interval, found " + pollInterval);
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retina-model-repository-" + manager.modelName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Polls now and then every poll interval until closed. */
    public DirectoryModelSource start() {
        LOG.info("Following model repository {} every {} ms", modelDir, pollInterval.toMillis());
        poller.scheduleWithFixedDelay(() -> {
            try {
                pollNow();
            } catch (RuntimeException e) {
                LOG.warn("Scanning model repository {} failed; retrying in {} ms", modelDir, pollInterval.toMillis(), e);
            }
        }, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Scans the directory once and offers every version that is complete and new or changed since the last scan.
     *
     * @return the versions offered (the manager validates them on its own thread; {@link ModelManager#sync()}
     *         waits for that)
     */
    public synchronized List<String> pollNow() {
        if (!Files.isDirectory(modelDir)) {
            if (!missingLogged) {
                LOG.warn("Model repository directory {} does not exist (yet); waiting for it", modelDir);
                missingLogged = true;
            }
            return List.of();
        }
        missingLogged = false;
        List<Path> versions;
        try (Stream<Path> list = Files.list(modelDir)) {
            versions = list.filter(Files::isDirectory)
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list model repository " + modelDir + ": " + e.getMessage(), e);
        }
        List<String> offered = new ArrayList<>();
        for (Path dir : versions) {
            String version = dir.getFileName().toString();
            Path ready = dir.resolve(READY_MARKER);
            if (!Files.isRegularFile(ready)) {
                continue;   // still being written: never look inside
            }
            Signature sig = signature(dir);
            if (sig.equals(seen.get(version))) {
                continue;
            }
            seen.put(version, sig);
            try {
                manager.offer(read(dir, version));
                offered.add(version);
            } catch (ModelPackageException e) {
                manager.unusable(version, dir.toString(), Reason.INVALID_METADATA, dir + ": " + e.getMessage());
            } catch (RuntimeException e) {
                String message = dir + " has a " + READY_MARKER + " marker but cannot be read: " + e.getMessage();
                manager.unusable(version, dir.toString(), Reason.FETCH_FAILED, message);
            }
        }
        return offered;
    }

    private static Signature signature(Path dir) {
        try {
            Path model = dir.resolve(ModelPackage.MODEL_FILE);
            boolean hasModel = Files.isRegularFile(model);
            return new Signature(Files.getLastModifiedTime(dir.resolve(READY_MARKER)).toMillis(),
                hasModel ? Files.getLastModifiedTime(model).toMillis() : -1, hasModel ? Files.size(model) : -1);
        } catch (IOException e) {
            return new Signature(-1, -1, -1);
        }
    }

    private ModelCandidate read(Path dir, String version) {
        try {
            byte[] onnx = readFile(dir.resolve(ModelPackage.MODEL_FILE), Long.MAX_VALUE);
            List<String> labels = Labels.parse(readFile(dir.resolve(ModelPackage.LABELS_FILE),
                ModelPackage.MAX_METADATA_BYTES));
            String preprocess = new String(readFile(dir.resolve(ModelPackage.PREPROCESS_FILE),
                ModelPackage.MAX_METADATA_BYTES), StandardCharsets.UTF_8);
            Path golden = dir.resolve(GOLDEN_DIR);
            List<ModelCandidate.GoldenSample> goldenSet = Files.isDirectory(golden) ? GoldenSetDirectory.read(golden)
                : List.of();
            return new ModelCandidate(manager.modelName(), version, null, onnx, labels, preprocess, goldenSet,
                dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static byte[] readFile(Path file, long limit) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("expected the file " + file.getFileName() + ", found none");
        }
        long size = Files.size(file);
        if (size > limit) {
            throw new IOException("expected " + file.getFileName() + " of at most " + limit + " bytes, found " + size);
        }
        return Files.readAllBytes(file);
    }

    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
