package dev.retina.streams.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.retina.engine.exec.Engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReloadingModelTest {

    private static Engine engine;

    @TempDir
    Path repo;

    @BeforeAll
    static void startEngine() {
        engine = Engine.create(1);
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    private Path write(String version, byte[] onnx, boolean ready) throws Exception {
        Path dir = repo.resolve("colors").resolve(version);
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), onnx);
        Files.writeString(dir.resolve("labels.txt"), String.join("\n", TinyModels.LABELS) + "\n");
        Files.writeString(dir.resolve("preprocess.json"), TinyModels.PREPROCESS);
        if (ready) {
            Files.createFile(dir.resolve(DirectoryModelSource.READY_MARKER));
        }
        return dir;
    }

    private ModelReloadSettings settings(Optional<Path> initial, Optional<Path> repository, Duration startWait) {
        return new ModelReloadSettings("colors", initial, repository, Duration.ofMillis(50), false, "models",
            Map.of(), Map.of(), ValidationSettings.defaults(), Duration.ZERO, startWait);
    }

    @Test
    void startsOnTheInitialPackageThenFollowsTheRepository() throws Exception {
        Path initial = write("1", TinyModels.onnx(10f), false);
        try (ReloadingModel model = ReloadingModel.start(settings(Optional.of(initial), Optional.of(repo),
                 Duration.ofSeconds(30)), engine)) {
            assertThat(model.current().identity().version()).isEqualTo("1");
            CountDownLatch v2 = new CountDownLatch(1);
            model.manager().addListener(new ModelManager.Listener() {
                @Override
                public void swapped(ModelIdentity previous, ModelIdentity next) {
                    if (next.version().equals("2")) {
                        v2.countDown();
                    }
                }
            });
            write("2", TinyModels.onnx(20f), true);
            assertThat(v2.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(model.current().inference().run(TinyModels.redInput()).data()[0]).isEqualTo(20f);
        }
    }

    @Test
    void startFailsWithTheRejectionsWhenNoVersionIsValid() throws Exception {
        Path initial = write("1", TinyModels.unknownOperator(), false);
        assertThatThrownBy(() -> ReloadingModel.start(settings(Optional.of(initial), Optional.empty(),
                Duration.ofMillis(500)), engine))
            .isInstanceOf(ModelUnavailableException.class)
            .hasMessageContaining("no valid version of model 'colors' within 500 ms")
            .hasMessageContaining("model.dir " + initial)
            .hasMessageContaining("1: INVALID_GRAPH")
            .hasMessageContaining("FrobnicateV9");
    }

    @Test
    void settingsNeedASource() {
        assertThatThrownBy(() -> settings(Optional.empty(), Optional.empty(), Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one model source");
    }
}
