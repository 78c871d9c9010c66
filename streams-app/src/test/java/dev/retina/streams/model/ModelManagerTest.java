package dev.retina.streams.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.tensor.Tensor;
import dev.retina.streams.model.ModelRejectedException.Reason;
import dev.retina.streams.model.ReloadHistory.Outcome;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModelManagerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Engine engine;
    private static ModelValidator validator;

    @BeforeAll
    static void startEngine() {
        engine = Engine.create(2);
        validator = new ModelValidator(engine, ValidationSettings.defaults());
    }

    @AfterAll
    static void stopEngine() {
        validator.close();
        engine.close();
    }

    private static float firstLogit(ServingModel model) {
        return model.inference().run(TinyModels.redInput()).data()[0];
    }

    @Test
    void servesNothingUntilAVersionPassesThenServesIt() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            assertThatThrownBy(manager::current).isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("no version of model 'colors'");
            manager.offer(TinyModels.candidate("1", 10f)).get();
            assertThat(manager.awaitModel(WAIT)).isTrue();
            ServingModel served = manager.current();
            assertThat(served.identity().version()).isEqualTo("1");
            assertThat(served.identity().sha256()).isEqualTo(ModelPackage.sha256(TinyModels.onnx(10f)));
            assertThat(firstLogit(served)).isEqualTo(10f);
            assertThat(manager.swapCount()).isEqualTo(1);
        }
    }

    @Test
    void candidatesOfAnotherModelNameAreIgnored() throws Exception {
        try (ModelManager manager = new ModelManager("shapes", validator, Duration.ZERO)) {
            manager.offer(TinyModels.candidate("1", 10f)).get();
            assertThat(manager.active()).isEmpty();
            assertThat(manager.knownVersions().get()).isEmpty();
        }
    }

    @Test
    void highestVersionWinsWithNumericOrdering() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            manager.offer(TinyModels.candidate("9", 90f)).get();
            manager.offer(TinyModels.candidate("10", 100f)).get();
            manager.offer(TinyModels.candidate("2", 20f)).get();
            assertThat(manager.current().identity().version()).isEqualTo("10");
            assertThat(manager.knownVersions().get()).containsExactly("2", "9", "10");
            assertThat(firstLogit(manager.current())).isEqualTo(100f);
        }
    }

    /**
     * Four threads classify without pause while versions 2 and 3 are swapped in. Every result must match the model
     * the thread fetched (no result from a mixed or half-loaded model), no inference fails, each thread sees versions
     * only move forward, and every replaced model's session is closed in the end.
     */
    @Test
    void swapWhileManyThreadsInferGivesEveryResultFromExactlyOneModel() throws Exception {
        List<LoadedModel> loaded = new CopyOnWriteArrayList<>();
        ModelManager.Loader recording = c -> {
            LoadedModel m = validator.validate(c);
            loaded.add(m);
            return m;
        };
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<String, AtomicLong> perVersion = new ConcurrentHashMap<>();
        AtomicLong mismatches = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicLong backwards = new AtomicLong();
        AtomicLong maxGapNanos = new AtomicLong();
        AtomicLong baselineGapNanos = new AtomicLong();
        AtomicBoolean swapping = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(threads);
        try (ModelManager manager = new ModelManager("colors", recording, Duration.ofMillis(200))) {
            manager.offer(TinyModels.candidate("1", 10f)).get();
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    int lastVersion = 0;
                    long last = System.nanoTime();
                    Tensor input = TinyModels.redInput();
                    long n = 0;
                    while (!stop.get()) {
                        ServingModel model = manager.current();
                        try {
                            float logit = model.inference().run(input).data()[0];
                            String v = model.identity().version();
                            if (logit != TinyModels.gainOf(v)) {
                                mismatches.incrementAndGet();
                            }
                            perVersion.computeIfAbsent(v, k -> new AtomicLong()).incrementAndGet();
                            int vi = Integer.parseInt(v);
                            if (vi < lastVersion) {
                                backwards.incrementAndGet();
                            }
                            lastVersion = vi;
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                        }
                        long now = System.nanoTime();
                        (swapping.get() ? maxGapNanos : baselineGapNanos).accumulateAndGet(now - last, Math::max);
                        last = now;
                        if (++n == 50) {
                            running.countDown();
                        }
                    }
                }));
            }
            assertThat(running.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            swapping.set(true);
            manager.offer(TinyModels.candidate("2", 20f)).get();
            awaitResults(perVersion, "2", 200);
            manager.offer(TinyModels.candidate("3", 30f)).get();
            awaitResults(perVersion, "3", 200);
            stop.set(true);
            for (Future<?> f : workers) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(mismatches.get()).as("results that do not match their model").isZero();
            assertThat(failures.get()).as("failed inferences").isZero();
            assertThat(backwards.get()).as("a thread went back to an older version").isZero();
            assertThat(perVersion.keySet()).containsExactlyInAnyOrder("1", "2", "3");
            assertThat(manager.swapCount()).isEqualTo(3);
            System.out.printf("swap test: results per version %s; largest gap between two inferences of one thread: "
                + "%.2f ms while versions 2 and 3 were loaded and swapped in, %.2f ms before%n", perVersion,
                maxGapNanos.get() / 1e6, baselineGapNanos.get() / 1e6);
        } finally {
            pool.shutdownNow();
        }
        assertThat(loaded).hasSize(3).allMatch(LoadedModel::isClosed);
    }

    private static void awaitResults(Map<String, AtomicLong> perVersion, String version, long count)
        throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (perVersion.getOrDefault(version, new AtomicLong()).get() < count) {
            assertThat(System.nanoTime()).as("results of version " + version).isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** A replaced model whose inference is still running keeps its session until that inference returns. */
    @Test
    void oldSessionIsClosedOnlyAfterItsLastLease() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        List<LoadedModel> loaded = new CopyOnWriteArrayList<>();
        ModelManager.Loader gated = c -> {
            LoadedModel inner = validator.validate(c);
            boolean gate = c.version().equals("1");
            LoadedModel outer = new LoadedModel(inner.identity(), inner.serving().labels(), inner.serving().spec(),
                input -> {
                    if (gate) {
                        entered.countDown();
                        await(proceed);
                    }
                    return inner.serving().inference().run(input);
                }, inner::retire);
            loaded.add(outer);
            return outer;
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (ModelManager manager = new ModelManager("colors", gated, Duration.ZERO)) {
            manager.offer(TinyModels.candidate("1", 10f)).get();
            ServingModel v1 = manager.current();
            Future<Float> inFlight = pool.submit(() -> firstLogit(v1));
            assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            manager.offer(TinyModels.candidate("2", 20f)).get();
            assertThat(manager.current().identity().version()).isEqualTo("2");
            LoadedModel old = loaded.get(0);
            assertThat(old.isRetired()).isTrue();
            assertThat(old.isClosed()).as("closed while an inference still holds it").isFalse();
            assertThat(old.leases()).isEqualTo(1);

            proceed.countDown();
            assertThat(inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(10f);
            assertThat(old.isClosed()).isTrue();
            assertThatThrownBy(() -> firstLogit(v1)).isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("was replaced");
            assertThat(firstLogit(manager.current())).isEqualTo(20f);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Five broken releases in a row while a thread keeps classifying: each is rejected with its own reason, no
     * inference fails and version 1 serves throughout.
     */
    @Test
    void fiveCorruptCandidatesAreRejectedWithTheirReasonsWhileV1KeepsServing() throws Exception {
        // A budget no real inference meets: the canary check of version 7 must fail on time, deterministically.
        try (ModelValidator strict = new ModelValidator(engine,
                 ValidationSettings.defaults().withCanaryBudget(Duration.ofNanos(1)))) {
            ModelManager.Loader loader = c -> (c.version().equals("7") ? strict : validator).validate(c);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong failures = new AtomicLong();
            AtomicLong served = new AtomicLong();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (ModelManager manager = new ModelManager("colors", loader, Duration.ZERO)) {
                manager.offer(TinyModels.candidate("1", 10f)).get();
                Future<?> reader = pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            ServingModel m = manager.current();
                            if (!m.identity().version().equals("1") || firstLogit(m) != 10f) {
                                failures.incrementAndGet();
                            }
                            served.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                        }
                    }
                });
                byte[] good = TinyModels.onnx(30f);
                manager.offer(TinyModels.candidate("3", Arrays.copyOf(good, good.length / 2))).get();
                manager.offer(new ModelCandidate("colors", "4", ModelPackage.sha256(TinyModels.onnx(99f)), good,
                    TinyModels.LABELS, TinyModels.PREPROCESS, List.of(), "test")).get();
                manager.offer(TinyModels.candidate("5", TinyModels.withClasses(4))).get();
                manager.offer(TinyModels.candidate("6", TinyModels.unknownOperator())).get();
                manager.offer(TinyModels.candidate("7", 70f)).get();
                stop.set(true);
                reader.get(WAIT.toSeconds(), TimeUnit.SECONDS);

                assertThat(manager.current().identity().version()).isEqualTo("1");
                assertThat(failures.get()).as("failed or wrong inferences").isZero();
                assertThat(served.get()).isPositive();
                List<ReloadHistory.Event> rejections = manager.history().events(Outcome.REJECTED);
                assertThat(rejections).extracting(ReloadHistory.Event::version)
                    .containsExactly("3", "4", "5", "6", "7");
                assertThat(rejections).extracting(ReloadHistory.Event::reason).containsExactly(
                    Reason.INVALID_GRAPH, Reason.SHA256_MISMATCH, Reason.MODEL_MISMATCH, Reason.INVALID_GRAPH,
                    Reason.CANARY_TIMEOUT);
                assertThat(rejections.get(3).message()).contains("UNSUPPORTED_OPERATOR").contains("FrobnicateV9");
                assertThat(rejections.get(2).message()).contains("4").contains("3");
                assertThat(rejections.get(1).message()).contains(ModelPackage.sha256(good));
                assertThat(manager.failedValidationCount()).isEqualTo(5);
                assertThat(manager.failedValidationCount(Reason.INVALID_GRAPH)).isEqualTo(2);
                assertThat(manager.swapCount()).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void goldenSetBelowTheRequiredAccuracyIsRejected() throws Exception {
        byte[] redPng = PngImages.solid(8, 8, 0xFF0000);
        byte[] bluePng = PngImages.solid(8, 8, 0x0000FF);
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            byte[] onnx = TinyModels.onnx(10f);
            List<ModelCandidate.GoldenSample> right = List.of(
                new ModelCandidate.GoldenSample("red.png", redPng, "red"),
                new ModelCandidate.GoldenSample("blue.png", bluePng, "blue"));
            manager.offer(new ModelCandidate("colors", "1", null, onnx, TinyModels.LABELS, TinyModels.PREPROCESS,
                right, "test")).get();
            assertThat(manager.current().identity().version()).isEqualTo("1");

            List<ModelCandidate.GoldenSample> wrong = List.of(
                new ModelCandidate.GoldenSample("red.png", redPng, "red"),
                new ModelCandidate.GoldenSample("blue-labelled-green.png", bluePng, "green"));
            manager.offer(new ModelCandidate("colors", "2", null, TinyModels.onnx(20f), TinyModels.LABELS,
                TinyModels.PREPROCESS, wrong, "test")).get();
            assertThat(manager.current().identity().version()).isEqualTo("1");
            ReloadHistory.Event rejected = manager.history().events(Outcome.REJECTED).get(0);
            assertThat(rejected.reason()).isEqualTo(Reason.GOLDEN_SET_FAILED);
            assertThat(rejected.message()).contains("1/2").contains("blue-labelled-green.png expected green found blue");
        }
    }

    @Test
    void pinUnpinAndRollback() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            manager.offer(TinyModels.candidate("1", 10f)).get();
            manager.offer(TinyModels.candidate("2", 20f)).get();
            assertThat(manager.current().identity().version()).isEqualTo("2");

            manager.pin("1", "test").get();
            assertThat(manager.current().identity().version()).isEqualTo("1");
            assertThat(firstLogit(manager.current())).isEqualTo(10f);
            manager.offer(TinyModels.candidate("3", 30f)).get();
            assertThat(manager.current().identity().version()).as("a pin holds against newer releases").isEqualTo("1");

            manager.unpin("test").get();
            assertThat(manager.current().identity().version()).isEqualTo("3");
            manager.rollback("test").get();
            assertThat(manager.current().identity().version()).isEqualTo("1");
            assertThat(manager.pinned()).contains("1");

            manager.pin("9", "test").get();
            assertThat(manager.current().identity().version()).as("an unknown pin keeps the current model")
                .isEqualTo("1");
            manager.offer(TinyModels.candidate("9", 90f)).get();
            assertThat(manager.current().identity().version()).isEqualTo("9");
            assertThat(manager.history().events(Outcome.PINNED)).hasSize(3);
        }
    }

    @Test
    void rollbackWithoutAnEarlierVersionFails() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            manager.offer(TinyModels.candidate("1", 10f)).get();
            assertThatThrownBy(() -> manager.rollback("test").get()).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expected an earlier served version");
        }
    }

    @Test
    void republishedVersionWithOtherBytesReplacesTheServedOne() throws Exception {
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            manager.offer(TinyModels.candidate("1", 10f)).get();
            manager.offer(TinyModels.candidate("1", 10f)).get();
            assertThat(manager.swapCount()).isEqualTo(1);
            manager.offer(TinyModels.candidate("1", 11f)).get();
            assertThat(manager.swapCount()).isEqualTo(2);
            assertThat(firstLogit(manager.current())).isEqualTo(11f);
        }
    }

    @Test
    void metricsCountSwapsRejectionsByReasonAndThePin() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (ModelManager manager = new ModelManager("colors", validator, Duration.ZERO)) {
            manager.bindMetrics(registry);
            assertThat(registry.get("retina.model.validation.failures").tag("reason", "SHA256_MISMATCH")
                .functionCounter().count()).as("present before the first failure").isZero();
            manager.offer(TinyModels.candidate("1", 10f)).get();
            manager.offer(TinyModels.candidate("2", TinyModels.unknownOperator())).get();
            manager.offer(TinyModels.candidate("3", 30f)).get();
            manager.pin("1", "test").get();
            assertThat(registry.get("retina.model.swaps").functionCounter().count()).isEqualTo(3);
            assertThat(registry.get("retina.model.validation.failures").tag("reason", "INVALID_GRAPH")
                .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("retina.model.pinned").gauge().value()).isEqualTo(1);
        }
    }

    @Test
    void closeReleasesTheServedModel() throws Exception {
        List<LoadedModel> loaded = new CopyOnWriteArrayList<>();
        ModelManager manager = new ModelManager("colors", c -> {
            LoadedModel m = validator.validate(c);
            loaded.add(m);
            return m;
        }, Duration.ofHours(1));
        manager.offer(TinyModels.candidate("1", 10f)).get();
        manager.offer(TinyModels.candidate("2", 20f)).get();
        assertThat(loaded.get(0).isClosed()).as("still inside its grace period").isFalse();
        manager.close();
        assertThat(loaded).allMatch(LoadedModel::isClosed);
        assertThatThrownBy(manager::current).isInstanceOf(ModelUnavailableException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> manager.offer(TinyModels.candidate("3", 30f)).get())
            .hasCauseInstanceOf(IllegalStateException.class);
    }
}
