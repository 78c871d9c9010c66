package dev.retina.streams.model;

/**
 * The model the topology serves right now. Each record asks for {@link #current()} once and uses that model from
 * decode to result, so a model swapped in between two records never mixes into one result. Implementations: a
 * fixed model loaded at start ({@link FixedModel}); a hot-reloading manager later.
 *
 * <p>An implementation that replaces models must keep a replaced model's session open until records that already
 * hold it are done: at least {@code inference.timeout.ms} after the swap (no pass outlives its deadline by the
 * stream thread's clock). Closing it earlier would dead-letter those records as INFERENCE ("session is closed").
 */
public interface LiveModel extends AutoCloseable {

    /**
     * The model to use for the next record.
     *
     * @throws ModelUnavailableException if no model is loaded (never the case for a fixed model once built)
     */
    ServingModel current();

    /** Releases the sessions of every model this source loaded. */
    @Override
    void close();
}
