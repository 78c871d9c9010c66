package dev.retina.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.InferenceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The persistent-worker parallel loop: coverage, chunking, failures, concurrent callers and closing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerPoolTest {

    @Test
    void everyIndexIsVisitedExactlyOnceInContiguousChunks() {
        for (int threads : new int[] {1, 2, 3, 4}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                for (int n : new int[] {1, 2, 3, 5, 7, 64, 1001}) {
                    AtomicIntegerArray visits = new AtomicIntegerArray(n);
                    int chunks = Math.min(n, threads);
                    AtomicIntegerArray chunkOf = new AtomicIntegerArray(n);
                    pool.parallelFor(n, (chunk, from, to) -> {
                        assertThat(from).isEqualTo((int) ((long) n * chunk / chunks));
                        assertThat(to).isEqualTo((int) ((long) n * (chunk + 1) / chunks));
                        for (int i = from; i < to; i++) {
                            visits.incrementAndGet(i);
                            chunkOf.set(i, chunk);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertThat(visits.get(i)).as("index %d of %d on %d threads", i, n, threads).isEqualTo(1);
                    }
                    assertThat(chunkOf.get(n - 1)).isEqualTo(chunks - 1);
                }
            }
        }
    }

    @Test
    void manyShortLoopsInARowAllComplete() {
        try (WorkerPool pool = new WorkerPool(2)) {
            long[] sums = new long[2];
            for (int loop = 0; loop < 20_000; loop++) {
                pool.parallelFor(2, (chunk, from, to) -> sums[chunk] += to - from);
            }
            assertThat(sums).containsExactly(20_000, 20_000);
        }
    }

    @Test
    void aFailingChunkFailsTheLoopAndThePoolKeepsWorking() {
        try (WorkerPool pool = new WorkerPool(3)) {
            assertThatThrownBy(() -> pool.parallelFor(3, (chunk, from, to) -> {
                if (chunk == 2) {
                    throw new IllegalStateException("chunk 2 broke");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 2 broke");
            assertThatThrownBy(() -> pool.parallelFor(3, (chunk, from, to) -> {
                if (chunk == 0) {
                    throw new IllegalArgumentException("chunk 0 broke");
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("chunk 0 broke");
            AtomicIntegerArray visits = new AtomicIntegerArray(9);
            pool.parallelFor(9, (chunk, from, to) -> {
                for (int i = from; i < to; i++) {
                    visits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 9; i++) {
                assertThat(visits.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void everyFailureReachesItsOwnCallerAndNeverTheNextLoop() {
        // Whichever thread runs the failing chunk, its loop must throw, and the clean loop after it must not.
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int loop = 0; loop < 20_000; loop++) {
                int failing = loop % 2;
                String message = "loop " + loop;
                assertThatThrownBy(() -> pool.parallelFor(2, (chunk, from, to) -> {
                    if (chunk == failing) {
                        throw new IllegalStateException(message);
                    }
                })).as("loop %d", loop).isInstanceOf(IllegalStateException.class).hasMessage(message);
                pool.parallelFor(2, (chunk, from, to) -> { });
            }
        }
    }

    @Test
    void concurrentCallersEachCompleteTheirWholeLoop() throws Exception {
        int callers = 4;
        int n = 257;
        ExecutorService executor = Executors.newFixedThreadPool(callers);
        try (WorkerPool pool = new WorkerPool(2)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[]>> results = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                results.add(executor.submit(() -> {
                    start.await();
                    int[] total = new int[n];
                    for (int loop = 0; loop < 500; loop++) {
                        int[] visits = new int[n];
                        pool.parallelFor(n, (chunk, from, to) -> {
                            for (int i = from; i < to; i++) {
                                visits[i]++;
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            total[i] += visits[i];
                        }
                    }
                    return total;
                }));
            }
            start.countDown();
            for (Future<int[]> f : results) {
                int[] total = f.get(50, TimeUnit.SECONDS);
                for (int i = 0; i < n; i++) {
                    assertThat(total[i]).as("index %d", i).isEqualTo(500);
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aLoopStartedInsideALoopBodyRunsOnTheCallingThread() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray inner = new AtomicIntegerArray(2 * 10);
            pool.parallelFor(2, (outer, from, to) -> pool.parallelFor(10, (chunk, f, t) -> {
                assertThat(chunk).isZero();
                for (int i = f; i < t; i++) {
                    inner.incrementAndGet(outer * 10 + i);
                }
            }));
            for (int i = 0; i < 20; i++) {
                assertThat(inner.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void aClosedPoolRefusesLoopsAndStopsItsWorkers() throws Exception {
        WorkerPool pool = new WorkerPool(3);
        pool.parallelFor(3, (chunk, from, to) -> { });
        pool.close();
        assertThat(pool.isClosed()).isTrue();
        assertThatThrownBy(() -> pool.parallelFor(3, (chunk, from, to) -> { }))
                .isInstanceOf(InferenceException.class)
                .extracting(e -> ((InferenceException) e).reason()).isEqualTo(InferenceException.Reason.CLOSED);
        assertThat(pool.workerThreads()).hasSize(2);
        for (Thread t : pool.workerThreads()) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).as(t.getName()).isFalse();
        }
        pool.close(); // idempotent
    }
}
