/**
 * Feature statistics of the classification stream: per-image {@link dev.retina.streams.stats.Observation}s,
 * mergeable running statistics, the per-window state {@link dev.retina.streams.stats.WindowAggregate} with its
 * versioned binary serde, drift against a {@link dev.retina.streams.stats.DriftReference}, and the topology branch
 * {@link dev.retina.streams.stats.FeatureStatsTopology} that emits one FeatureStats record per closed window.
 *
 * <p>Every accumulator here is mutable, not thread-safe, and mergeable: {@code a.merge(b)} leaves {@code a} equal (up
 * to floating-point rounding) to an accumulator that saw the observations of both.
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li>Moments: Welford's update and Chan's pairwise merge ({@link dev.retina.streams.stats.RunningMoments}); variances
 *       are population variances, as the FeatureStats schema states.</li>
 *   <li>Quantiles: fixed histograms, not sketches with data-dependent buckets, because a fixed layout merges by adding
 *       counts and serializes sparsely. Confidence: 100 linear buckets over [0, 1], error at most 0.005. Latency: log
 *       buckets over [0.01 ms, 10^7 ms] with growth 1.02, relative error at most 1%
 *       ({@link dev.retina.streams.stats.HistogramLayout}). Quantiles are nearest-rank.</li>
 *   <li>Classes are counted by label, and accuracy compares the ground-truth label with the top-1 label, so a ground
 *       truth the model does not know is simply never correct.</li>
 *   <li>Drift: PSI of the class distribution and of the top-1 score in ten bins of width 0.1, each proportion smoothed
 *       as {@code (p + eps) / (1 + k eps)} with eps = 1e-4. {@code embeddingMeanShift} (v1) is the Euclidean distance
 *       between the window's and the reference's embedding means; FeatureStats v2 adds the standardised shift
 *       ({@code mean_d |mu_d - mu_ref_d| / sqrt(var_ref_d + eps)}) and its threshold. The flag is raised when either
 *       PSI exceeds 0.2 or the standardised shift exceeds 0.5 ({@link dev.retina.streams.stats.DriftSettings}; both
 *       configurable).</li>
 *   <li>Reference: a file reference configured for the model version wins; otherwise the first full window, where the
 *       first window closed for a version counts as partial and the next one with enough observations (default 50)
 *       becomes the reference, kept in a changelogged store. Windows before it carry no drift summary.</li>
 *   <li>Late records: a record whose window closed more than the grace period ago is counted per stats key in a
 *       changelogged store and logged, never dropped silently; the next FeatureStats record of the key reports the
 *       count in {@code lateCount} (v2) and the count restarts, so each late image is reported exactly once.</li>
 *   <li>Entropy (mean, variance, min, max) and input contrast (mean, variance) are in FeatureStats v2. Entropy
 *       percentiles would need another histogram in the window state; mean, spread and extremes were judged enough
 *       to alert on falling certainty.</li>
 *   <li>Keys: windows are kept per model version ({@code name:version}) or, with {@code stats.by.source}, per model
 *       version and image source ({@code name:version#source}, the record's {@code source} field set). Drift
 *       references from the first full window are per stats key; reference files are per model version.</li>
 *   <li>Wiring: the application maps each classified image to an Observation (event time = input record timestamp)
 *       after classification, so the repartition by model never sits in front of the dead-letter handlers.</li>
 * </ul>
 */
package dev.retina.streams.stats;
