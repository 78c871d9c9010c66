package dev.retina.streams.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.exec.Engine;
import dev.retina.streams.model.ModelRejectedException.Reason;
import dev.retina.streams.model.ReloadHistory.Outcome;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DirectoryModelSourceTest {

    private static Engine engine;
    private static ModelValidator validator;

    @TempDir
    Path repo;

    @BeforeAll
    static void startEngine() {
        engine = Engine.create(1);
        validator = new ModelValidator(engine, ValidationSettings.defaults());
    }

    @AfterAll
    static void stopEngine() {
        validator.close();
        engine.close();
    }

    private Path writeFiles(String version, byte[] onnx) throws IOException {
        Path dir = repo.resolve("colors").resolve(version);
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), onnx);
        Files.writeString(dir.resolve("labels.txt"), String.join("\n", TinyModels.LABELS) + "\n");
        Files.writeString(dir.resolve("preprocess.json"), TinyModels.PREPROCESS);
        return dir;
    }

    private static void markReady(Path dir) throws IOException {
        Files.createFile(dir.resolve(DirectoryModelSource.READY_MARKER));
    }

    private static String served(ModelManager manager) {
        return manager.current().identity().version();
    }

    @Test
    void halfCopiedVersionIsNeverLoadedBeforeItsReadyMarker() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO);
             DirectoryModelSource source = new DirectoryModelSource(repo, manager, Duration.ofHours(1))) {
            markReady(writeFiles("1", TinyModels.onnx(10f)));
            assertThat(source.pollNow()).containsExactly("1");
            manager.sync().get();
            assertThat(served(manager)).isEqualTo("1");

            // Version 2 arrives slowly: half the model first, then the rest, then the marker.
            byte[] v2 = TinyModels.onnx(20f);
            Path dir = writeFiles("2", Arrays.copyOf(v2, v2.length / 2));
            assertThat(source.pollNow()).isEmpty();
            Files.write(dir.resolve("model.onnx"), v2);
            assertThat(source.pollNow()).isEmpty();
            manager.sync().get();
            assertThat(served(manager)).isEqualTo("1");
            assertThat(manager.history().events(Outcome.REJECTED)).as("an incomplete version is not even tried")
                .isEmpty();

            markReady(dir);
            assertThat(source.pollNow()).containsExactly("2");
            manager.sync().get();
            assertThat(served(manager)).isEqualTo("2");
            assertThat(source.pollNow()).as("an unchanged version is not offered again").isEmpty();
        }
    }

    @Test
    void highestVersionWinsAndABrokenCompleteVersionIsRejected() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO);
             DirectoryModelSource source = new DirectoryModelSource(repo, manager, Duration.ofHours(1))) {
            markReady(writeFiles("2", TinyModels.onnx(20f)));
            markReady(writeFiles("10", TinyModels.onnx(100f)));
            Path broken = writeFiles("11", TinyModels.unknownOperator());
            markReady(broken);
            Path noLabels = writeFiles("12", TinyModels.onnx(120f));
            Files.delete(noLabels.resolve("labels.txt"));
            markReady(noLabels);
            Files.createDirectories(repo.resolve("colors").resolve(".13.partial"));

            source.pollNow();
            manager.sync().get();
            assertThat(served(manager)).isEqualTo("10");
            assertThat(manager.history().events(Outcome.REJECTED))
                .extracting(ReloadHistory.Event::version, ReloadHistory.Event::reason)
                .containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("11", Reason.INVALID_GRAPH),
                    org.assertj.core.groups.Tuple.tuple("12", Reason.FETCH_FAILED));
            assertThat(manager.history().events(Outcome.REJECTED).stream()
                .filter(e -> e.version().equals("12")).findFirst().orElseThrow().message())
                .contains("labels.txt");
        }
    }

    @Test
    void pollingPicksUpANewVersionWithoutBeingAsked() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            CountDownLatch v3 = new CountDownLatch(1);
            manager.addListener(new ModelManager.Listener() {
                @Override
                public void swapped(ModelIdentity previous, ModelIdentity next) {
                    if (next.version().equals("3")) {
                        v3.countDown();
                    }
                }
            });
            try (DirectoryModelSource source = new DirectoryModelSource(repo, manager, Duration.ofMillis(50))
                     .start()) {
                markReady(writeFiles("3", TinyModels.onnx(30f)));
                assertThat(v3.await(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void goldenSetOfAVersionIsChecked() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO);
             DirectoryModelSource source = new DirectoryModelSource(repo, manager, Duration.ofHours(1))) {
            Path dir = writeFiles("1", TinyModels.onnx(10f));
            Files.createDirectories(dir.resolve("golden/green"));
            // A red image filed under "green": the model answers red, so the golden set fails.
            Files.write(dir.resolve("golden/green/red.png"), PngImages.solid(6, 6, 0xFF0000));
            markReady(dir);
            source.pollNow();
            manager.sync().get();
            assertThat(manager.active()).isEmpty();
            List<ReloadHistory.Event> rejected = manager.history().events(Outcome.REJECTED);
            assertThat(rejected).singleElement().extracting(ReloadHistory.Event::reason)
                .isEqualTo(Reason.GOLDEN_SET_FAILED);
            assertThat(rejected.get(0).message()).contains("green/red.png expected green found red");
        }
    }

    @Test
    void rejectsANonPositivePollInterval() {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> new DirectoryModelSource(repo, manager, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.poll.interval");
        }
    }
}
