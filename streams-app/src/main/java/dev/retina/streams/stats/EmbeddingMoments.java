package dev.retina.streams.stats;

import java.util.Arrays;

/**
 * Per-dimension mean and population variance of fixed-length embedding vectors, plus the mean of their L2 norms;
 * one pass and mergeable. Each dimension follows the same Welford update and Chan merge as {@link RunningMoments}
 * (see there for the formulas); all dimensions share one count because every vector has every dimension.
 */
public final class EmbeddingMoments {

    /** Largest dimension accepted when reading serialized state, a guard against corrupt lengths. */
    static final int MAX_DIMENSION = 1 << 16;

    private final int dimension;
    private final double[] mean;
    private final double[] m2;
    private final RunningMoments norm = new RunningMoments();
    private long count;

    public EmbeddingMoments(int dimension) {
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException("embedding dimension must be in [1, " + MAX_DIMENSION + "], found "
                + dimension);
        }
        this.dimension = dimension;
        this.mean = new double[dimension];
        this.m2 = new double[dimension];
    }

    /** Adds one vector of length {@link #dimension()}, every value finite. */
    public void add(float[] v) {
        if (v.length != dimension) {
            throw new IllegalArgumentException("expected an embedding of dimension " + dimension + ", found "
                + v.length);
        }
        double sq = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("expected finite embedding values, found " + x);
            }
            sq += (double) x * x;
        }
        count++;
        for (int i = 0; i < dimension; i++) {
            double x = v[i];
            double delta = x - mean[i];
            mean[i] += delta / count;
            m2[i] += delta * (x - mean[i]);
        }
        norm.add(Math.sqrt(sq));
    }

    /** Adds everything {@code other} has seen; both must have the same dimension. */
    public void merge(EmbeddingMoments other) {
        if (other.dimension != dimension) {
            throw new IllegalArgumentException("cannot merge embedding moments of dimension " + other.dimension
                + " into dimension " + dimension);
        }
        if (other.count == 0) {
            return;
        }
        long n = count + other.count;
        double wb = (double) other.count / n;
        double cross = (double) count * other.count / n;
        for (int i = 0; i < dimension; i++) {
            double delta = other.mean[i] - mean[i];
            mean[i] += delta * wb;
            m2[i] += other.m2[i] + delta * delta * cross;
        }
        count = n;
        norm.merge(other.norm);
    }

    public int dimension() {
        return dimension;
    }

    public long count() {
        return count;
    }

    /** Per-dimension means (a copy; zeros when empty). */
    public double[] mean() {
        return mean.clone();
    }

    /** Per-dimension population variances (a copy; zeros when empty). */
    public double[] variance() {
        double[] v = new double[dimension];
        if (count > 0) {
            for (int i = 0; i < dimension; i++) {
                v[i] = Math.max(0, m2[i] / count);
            }
        }
        return v;
    }

    /** Mean Euclidean norm of the vectors, 0 when empty. */
    public double meanL2Norm() {
        return norm.mean();
    }

    /** Layout: var-long dimension, var-long count, then per dimension the doubles mean and m2, then the norm moments. */
    void writeTo(StatsWriter out) {
        out.writeVarLong(dimension);
        out.writeVarLong(count);
        for (int i = 0; i < dimension; i++) {
            out.writeDouble(mean[i]);
            out.writeDouble(m2[i]);
        }
        norm.writeTo(out);
    }

    static EmbeddingMoments readFrom(StatsReader in) {
        int dim = in.readCount("embedding dimension", MAX_DIMENSION);
        if (dim < 1) {
            throw new StatsFormatException("expected an embedding dimension >= 1, found 0");
        }
        if (in.remaining() < 16L * dim) {
            throw new StatsFormatException("truncated: embedding of dimension " + dim + " needs " + 16L * dim
                + " bytes, found " + in.remaining());
        }
        EmbeddingMoments e = new EmbeddingMoments(dim);
        e.count = in.readVarLong("embedding count");
        for (int i = 0; i < dim; i++) {
            e.mean[i] = in.readDouble("embedding mean");
            e.m2[i] = in.readDouble("embedding m2");
            if (!(Double.isFinite(e.mean[i]) && e.m2[i] >= 0 && Double.isFinite(e.m2[i]))) {
                throw new StatsFormatException("expected finite embedding moments with m2 >= 0 at dimension " + i
                    + ", found mean=" + e.mean[i] + " m2=" + e.m2[i]);
            }
        }
        RunningMoments norm = RunningMoments.readFrom(in, "embedding norm");
        if (norm.count() != e.count) {
            throw new StatsFormatException("expected " + e.count + " embedding norms, found " + norm.count());
        }
        e.norm.merge(norm);
        return e;
    }

    @Override
    public String toString() {
        return "EmbeddingMoments[dim=" + dimension + " n=" + count + " meanL2Norm=" + meanL2Norm()
            + " mean[0..]=" + Arrays.toString(Arrays.copyOf(mean, Math.min(4, dimension))) + "]";
    }
}
