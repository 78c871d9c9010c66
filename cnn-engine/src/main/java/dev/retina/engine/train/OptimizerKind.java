package dev.retina.engine.train;

/** The update rules the trainer offers. */
public enum OptimizerKind {
    /** Stochastic gradient descent with (heavy-ball) momentum. */
    SGD,
    /** Adam (Kingma and Ba) with bias correction. */
    ADAM
}
