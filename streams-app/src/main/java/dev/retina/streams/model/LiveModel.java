package dev.retina.streams.model;

/**
 * The model the topology serves right now. Each record asks for {@link #current()} once and uses that model from
 * decode to result, so a model swapped in between two records never mixes into one result. Implementations: a
 * fixed model loaded at start ({@link FixedModel}); a hot-reloading manager later.
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
