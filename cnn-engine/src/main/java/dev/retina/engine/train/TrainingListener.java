package dev.retina.engine.train;

/** Receives training progress; called on the thread that runs {@link Trainer#train}. */
@FunctionalInterface
public interface TrainingListener {

    void onEpoch(EpochStats stats);

    /** A listener that ignores progress. */
    static TrainingListener none() {
        return stats -> { };
    }
}
