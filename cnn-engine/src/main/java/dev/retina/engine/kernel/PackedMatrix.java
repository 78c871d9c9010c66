package dev.retina.engine.kernel;

/**
 * A constant left GEMM operand ({@code rows x cols}, i.e. M x K), prepared once at load time by the
 * {@link Kernels} that will multiply with it. {@code rowMajor} is the plain copy (reference kernels);
 * {@code panels} is the packed copy for the blocked kernels: row panels of {@code panelRows} rows,
 * each stored column by column, {@code panels[(panel * cols + k) * panelRows + r] = A[panel * panelRows + r][k]},
 * zero-padded past the last row. A kernel uses whichever it filled.
 */
public record PackedMatrix(int rows, int cols, float[] rowMajor, float[] panels, int panelRows) {

    /** Number of row panels. */
    public int panelCount() {
        return (rows + panelRows - 1) / panelRows;
    }
}
