package dev.retina.engine.kernel;

/** Runs every loop on the calling thread as one chunk; used for load-time folding and tests. */
final class SequentialContext implements ComputeContext {

    private final ReusableBodies bodies = new ReusableBodies();
    private float[] scratch = new float[0];

    @Override
    public int parallelism() {
        return 1;
    }

    @Override
    public void parallelFor(int n, RangeBody body) {
        if (n > 0) {
            body.run(0, 0, n);
        }
    }

    @Override
    public <T extends RangeBody> T body(Class<T> type, java.util.function.Supplier<T> factory) {
        return bodies.get(type, factory);
    }

    @Override
    public float[] scratch(int chunk, int minFloats) {
        if (scratch.length < minFloats) {
            scratch = new float[minFloats];
        }
        return scratch;
    }
}
