/**
 * Feature statistics of the classification stream: per-image {@link dev.retina.streams.stats.Observation}s,
 * mergeable running statistics (moments, fixed histograms, counts), the per-window state
 * {@link dev.retina.streams.stats.WindowAggregate} with its versioned binary serde, and drift against a
 * {@link dev.retina.streams.stats.DriftReference}.
 *
 * <p>Every accumulator here is mutable, not thread-safe, and mergeable: {@code a.merge(b)} leaves {@code a} equal
 * (up to floating-point rounding) to an accumulator that saw the observations of both, so state from several
 * instances or partial windows can be combined.
 */
package dev.retina.streams.stats;
