package dev.retina.streams.stats;

/**
 * How drift is measured and flagged.
 *
 * @param psiThreshold            drift is flagged when the class PSI or the confidence PSI exceeds this; the default
 *                                {@value #DEFAULT_PSI_THRESHOLD} is the customary "significant shift" level (below 0.1
 *                                is usually read as stable, 0.1 to 0.2 as a moderate shift)
 * @param epsilon                 additive smoothing of proportions before the PSI's logarithm, so that a bin empty on
 *                                one side gives a large but finite term (see {@link Drift#psi}); default
 *                                {@value #DEFAULT_EPSILON}
 * @param embeddingShiftThreshold drift is also flagged when the standardised embedding mean shift (mean over
 *                                dimensions of the shift in reference standard deviations, see {@link Drift}) exceeds
 *                                this; the default {@value #DEFAULT_EMBEDDING_SHIFT_THRESHOLD} is half a standard
 *                                deviation per dimension on average, far above the sampling noise of a window of 50
 *                                or more images (about {@code 0.8 / sqrt(n)})
 */
public record DriftSettings(double psiThreshold, double epsilon, double embeddingShiftThreshold) {

    public static final double DEFAULT_PSI_THRESHOLD = 0.2;
    public static final double DEFAULT_EPSILON = 1e-4;
    public static final double DEFAULT_EMBEDDING_SHIFT_THRESHOLD = 0.5;

    public static final DriftSettings DEFAULTS = new DriftSettings(DEFAULT_PSI_THRESHOLD, DEFAULT_EPSILON,
        DEFAULT_EMBEDDING_SHIFT_THRESHOLD);

    public DriftSettings {
        if (!(psiThreshold > 0 && Double.isFinite(psiThreshold))) {
            throw new IllegalArgumentException("PSI threshold must be finite and > 0, found " + psiThreshold);
        }
        if (!(epsilon > 0 && epsilon < 1)) {
            throw new IllegalArgumentException("PSI smoothing epsilon must be in (0, 1), found " + epsilon);
        }
        if (!(embeddingShiftThreshold > 0 && Double.isFinite(embeddingShiftThreshold))) {
            throw new IllegalArgumentException("embedding shift threshold must be finite and > 0, found "
                + embeddingShiftThreshold);
        }
    }

    /** Settings with the default embedding shift threshold. */
    public DriftSettings(double psiThreshold, double epsilon) {
        this(psiThreshold, epsilon, DEFAULT_EMBEDDING_SHIFT_THRESHOLD);
    }
}
