package dev.retina.engine.train;

import java.util.Locale;

/**
 * Progress after one epoch.
 *
 * @param epoch              1-based epoch number
 * @param epochs             total epochs
 * @param loss               mean training cross-entropy over the epoch's images
 * @param accuracy           fraction of the epoch's training images classified correctly (before each update)
 * @param imagesPerSecond    training throughput of the epoch (forward, backward and update)
 * @param seconds            wall time of the epoch's training
 * @param validationAccuracy accuracy on the validation set after the epoch, or NaN without one
 */
public record EpochStats(int epoch, int epochs, double loss, double accuracy, double imagesPerSecond, double seconds,
        double validationAccuracy) {

    /** One line such as {@code epoch 3/8 loss=0.1234 accuracy=0.9612 images/s=812 time=12.3s val_accuracy=0.9700}. */
    public String format() {
        String s = String.format(Locale.ROOT, "epoch %d/%d loss=%.4f accuracy=%.4f images/s=%.0f time=%.1fs",
                epoch, epochs, loss, accuracy, imagesPerSecond, seconds);
        if (!Double.isNaN(validationAccuracy)) {
            s += String.format(Locale.ROOT, " val_accuracy=%.4f", validationAccuracy);
        }
        return s;
    }
}
