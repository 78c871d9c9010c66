package dev.retina.engine.testing;

import java.util.SplittableRandom;

/**
 * Deterministic random numbers for test weights and inputs. The same seed gives the same model bytes and inputs on
 * every run and every machine, so a failure can be reproduced.
 */
public final class SeededRandom {
    private final SplittableRandom random;

    public SeededRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** {@code n} values from a normal distribution N(mean, std²). */
    public float[] normal(int n, double mean, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (mean + std * gaussian());
        }
        return out;
    }

    /** {@code n} values uniform in [lo, hi). */
    public float[] uniform(int n, double lo, double hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextDouble(lo, hi);
        }
        return out;
    }

    /** {@code n} values with magnitude uniform in [lo, hi) and a random sign: safe divisors, clear of zero. */
    public float[] awayFromZero(int n, double lo, double hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double v = random.nextDouble(lo, hi);
            out[i] = (float) (random.nextBoolean() ? v : -v);
        }
        return out;
    }

    /**
     * He (Kaiming) normal initialisation, std = sqrt(2 / fanIn): keeps the activation variance roughly constant through
     * ReLU layers, so deep test networks neither vanish nor explode.
     */
    public float[] he(int n, int fanIn) {
        return normal(n, 0, Math.sqrt(2.0 / fanIn));
    }

    /** One standard normal sample (Box-Muller; SplittableRandom has no nextGaussian on Java 17). */
    private double gaussian() {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
