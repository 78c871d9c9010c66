package dev.retina.engine.train;

/**
 * The dense matrix arithmetic of the trainer, on row-major {@code float[]} slices.
 *
 * <p>Every inner loop runs over contiguous memory and is element-wise ({@code c[j] += a * b[j]}), which
 * the JIT vectorises without changing results; sums over {@code k} always run in ascending order, so
 * a result depends only on the inputs, never on blocking or threads.
 */
final class MatrixKernel {

    /** Columns processed per block, so a block of the output rows stays in the L1 cache. */
    private static final int COLUMN_BLOCK = 256;

    private MatrixKernel() {
    }

    /**
     * {@code C[m x n] += A[m x k] * B[k x n]}; A, B and C row-major starting at the given offsets, with
     * row strides k, n and n.
     */
    static void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int k, int n) {
        for (int j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
            int j1 = Math.min(n, j0 + COLUMN_BLOCK);
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * n;
                int aRow = aOff + i * k;
                for (int p = 0; p < k; p++) {
                    float av = a[aRow + p];
                    int bRow = bOff + p * n;
                    for (int j = j0; j < j1; j++) {
                        c[cRow + j] += av * b[bRow + j];
                    }
                }
            }
        }
    }

    /** {@code dst[cols x rows] = transpose(src[rows x cols])}. */
    static void transpose(float[] src, int srcOff, int rows, int cols, float[] dst, int dstOff) {
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * cols;
            for (int c = 0; c < cols; c++) {
                dst[dstOff + c * rows + r] = src[s + c];
            }
        }
    }
}
