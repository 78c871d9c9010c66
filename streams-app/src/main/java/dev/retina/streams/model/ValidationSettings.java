package dev.retina.streams.model;

import java.time.Duration;
import java.util.Objects;

import dev.retina.engine.onnx.ImportLimits;

/**
 * What a candidate model must pass before it may serve.
 *
 * @param canaryBudget       longest acceptable canary inference (one zero image, after the warm-up passes)
 * @param warmupPasses       passes run before the timed canary, so that the swap does not pay for first-run work
 *                           (buffer plans, JIT); each is bounded by {@code 10 x canaryBudget}
 * @param goldenMinAccuracy  share of golden-set images whose top-1 label must be the expected one, in [0, 1];
 *                           only checked when the candidate carries a golden set
 * @param limits             import limits for the ONNX bytes
 */
public record ValidationSettings(Duration canaryBudget, int warmupPasses, double goldenMinAccuracy,
                                 ImportLimits limits) {

    public ValidationSettings {
        Objects.requireNonNull(canaryBudget, "canaryBudget");
        Objects.requireNonNull(limits, "limits");
        if (canaryBudget.isNegative() || canaryBudget.isZero()) {
            throw new IllegalArgumentException("expected a positive canary budget, found " + canaryBudget);
        }
        if (warmupPasses < 0 || warmupPasses > 100) {
            throw new IllegalArgumentException("expected 0..100 warm-up passes, found " + warmupPasses);
        }
        if (!(goldenMinAccuracy >= 0 && goldenMinAccuracy <= 1)) {
            throw new IllegalArgumentException("expected a golden-set accuracy in [0, 1], found " + goldenMinAccuracy);
        }
    }

    /** 5 s canary budget, 2 warm-up passes, every golden image right, the engine's default import limits. */
    public static ValidationSettings defaults() {
        return new ValidationSettings(Duration.ofSeconds(5), 2, 1.0, ImportLimits.defaults());
    }

    public ValidationSettings withCanaryBudget(Duration budget) {
        return new ValidationSettings(budget, warmupPasses, goldenMinAccuracy, limits);
    }

    public ValidationSettings withGoldenMinAccuracy(double accuracy) {
        return new ValidationSettings(canaryBudget, warmupPasses, accuracy, limits);
    }
}
