package dev.retina.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How the vector GEMM and conv kernels cut their work into tasks for the worker threads. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VectorGemmSchedulingTest {

    @Test
    void taskCountIsDividedEvenlyAmongTheThreads() {
        // 7 column blocks (a 14x14 layer) on 2 threads: two row groups make 14 tasks, 7 per thread.
        assertThat(VectorGemm.rowGroups(43, 7, 2)).isEqualTo(2);
        // One column block (a 7x7 layer) on 2 threads: four groups, two per thread.
        assertThat(VectorGemm.rowGroups(86, 1, 2)).isEqualTo(4);
        // Enough even work already: no split of the rows.
        assertThat(VectorGemm.rowGroups(11, 8, 2)).isEqualTo(1);
        // 3 blocks on 2 threads: 2 groups give 6 tasks.
        assertThat(VectorGemm.rowGroups(20, 3, 2)).isEqualTo(2);
        // 5 blocks on 3 threads: 3 groups give 15 tasks.
        assertThat(VectorGemm.rowGroups(20, 5, 3)).isEqualTo(3);
        // One thread: one group per block.
        assertThat(VectorGemm.rowGroups(20, 1, 1)).isEqualTo(2);
        assertThat(VectorGemm.rowGroups(20, 5, 1)).isEqualTo(1);
    }

    @Test
    void neverMoreGroupsThanRowPanels() {
        assertThat(VectorGemm.rowGroups(1, 1, 2)).isEqualTo(1);
        assertThat(VectorGemm.rowGroups(3, 1, 4)).isEqualTo(3);
        assertThat(VectorGemm.rowGroups(2, 7, 4)).isEqualTo(2);
    }
}
