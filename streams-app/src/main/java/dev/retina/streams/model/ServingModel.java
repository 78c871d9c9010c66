package dev.retina.streams.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.image.Preprocessor;
import dev.retina.engine.model.ModelPackage;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.tensor.Tensor;

/**
 * A model ready to serve: its identity, its labels in output order, its preprocessing and the forward pass.
 * Immutable; the resources behind {@link #inference()} (an engine session) are owned by the {@link LiveModel} that
 * handed it out, which keeps them open while the model can still be in use.
 */
public final class ServingModel {

    /**
     * One forward pass: an input tensor laid out as {@link Preprocessor#inputShape(int)} says, in; the first model
     * output, whose row {@code n} holds the scores of image {@code n} (one per label), out. Thread-safe.
     */
    @FunctionalInterface
    public interface Inference {
        Tensor run(Tensor input);

        /**
         * The scores and, when the model has one, the embedding output of the same pass (see
         * {@link ModelPackage#embedding()}). By default there is no embedding.
         */
        default Outputs runWithEmbedding(Tensor input) {
            return new Outputs(run(input), null);
        }

        /**
         * The forward pass of {@code session}, which runs {@code pkg}'s model: {@link #run} returns the scores,
         * {@link #runWithEmbedding} the scores and the package's embedding output from one pass.
         */
        static Inference of(Session session, ModelPackage pkg) {
            Objects.requireNonNull(session, "session");
            String input = pkg.input().name();
            String scores = pkg.output().name();
            String embedding = pkg.embedding().map(ValueInfo::name).orElse(null);
            return new Inference() {
                @Override
                public Tensor run(Tensor in) {
                    return session.run(in);
                }

                @Override
                public Outputs runWithEmbedding(Tensor in) {
                    Map<String, Tensor> out = session.run(Map.of(input, in));
                    return new Outputs(out.get(scores), embedding == null ? null : out.get(embedding));
                }
            };
        }
    }

    /**
     * What one forward pass returned.
     *
     * @param scores    the first model output, one row of scores per image
     * @param embedding the embedding output ({@code [N, D]} or {@code [N, C, ...]}), or null when the model has none
     */
    public record Outputs(Tensor scores, Tensor embedding) {
        public Outputs {
            Objects.requireNonNull(scores, "scores");
        }
    }

    private final ModelIdentity identity;
    private final List<String> labels;
    private final Preprocessor preprocessor;
    private final Inference inference;

    /**
     * @param identity  name, version and sha256
     * @param labels    class labels in model output order, at least one
     * @param spec      how images become input tensors
     * @param inference the forward pass
     */
    public ServingModel(ModelIdentity identity, List<String> labels, PreprocessSpec spec, Inference inference) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.labels = List.copyOf(labels);
        if (this.labels.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one label, found none for " + identity);
        }
        this.preprocessor = new Preprocessor(Objects.requireNonNull(spec, "spec"));
        this.inference = Objects.requireNonNull(inference, "inference");
    }

    /** A model of a loaded, validated package ({@link ModelPackage}) whose forward pass is {@code inference}. */
    public static ServingModel of(ModelIdentity identity, ModelPackage pkg, Inference inference) {
        Objects.requireNonNull(pkg, "pkg");
        if (!identity.sha256().equals(pkg.sha256())) {
            throw new IllegalArgumentException("expected the identity of the package (sha256 " + pkg.sha256()
                + "), found " + identity);
        }
        return new ServingModel(identity, pkg.labels(), pkg.spec(), inference);
    }

    public ModelIdentity identity() {
        return identity;
    }

    public List<String> labels() {
        return labels;
    }

    public PreprocessSpec spec() {
        return preprocessor.spec();
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    public Inference inference() {
        return inference;
    }

    @Override
    public String toString() {
        return identity + " with " + labels.size() + " classes";
    }
}
