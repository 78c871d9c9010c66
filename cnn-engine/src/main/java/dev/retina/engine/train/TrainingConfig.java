package dev.retina.engine.train;

/**
 * How to train: epochs, mini-batch size, optimizer and learning rate, seed and worker threads.
 *
 * <p>The learning rate follows a cosine decay from {@code learningRate} at the first step to zero after
 * the last one when {@code cosineDecay} is set, otherwise it is constant. {@code momentum} applies to
 * SGD only. Results are bit-identical for equal configurations whatever {@code threads} is.
 *
 * @param epochs      passes over the training data, at least 1
 * @param batchSize   images per update, 1 to 4096
 * @param learningRate initial step size, positive
 * @param optimizer   SGD with momentum or Adam
 * @param momentum    SGD momentum in [0, 1)
 * @param cosineDecay whether the learning rate decays along a half cosine
 * @param seed        seeds weight initialisation and the per-epoch shuffles
 * @param threads     worker threads, at least 1
 */
public record TrainingConfig(int epochs, int batchSize, float learningRate, OptimizerKind optimizer, float momentum,
        boolean cosineDecay, long seed, int threads) {

    public TrainingConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, found " + epochs);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException("batch size must be in [1, 4096], found " + batchSize);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, found " + learningRate);
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must be set");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), found " + momentum);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, found " + threads);
        }
    }

    /** Adam, learning rate 0.002 with cosine decay, batch 32, momentum 0.9 (used by SGD only). */
    public static TrainingConfig defaults(int epochs, long seed, int threads) {
        return new TrainingConfig(epochs, 32, 0.002f, OptimizerKind.ADAM, 0.9f, true, seed, threads);
    }
}
