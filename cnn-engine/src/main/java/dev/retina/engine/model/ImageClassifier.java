package dev.retina.engine.model;

import dev.retina.engine.exec.Session;
import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.image.Preprocessor;
import dev.retina.engine.graph.ValueInfo;
import dev.retina.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Classifies decoded images with a {@link ModelPackage}: preprocess, run the session, turn each output row into
 * probabilities (softmax unless the spec's {@code output} says the model already emits them, see {@link Scores})
 * and keep the top k. {@link #score(DecodedImage, int)} also returns the whole distribution and the image's
 * embedding from the same pass.
 *
 * <p>Thread-safe when the session is (engine sessions are); it does not own the session and does not close it.
 */
public final class ImageClassifier {

    private final ModelPackage modelPackage;
    private final Session session;
    private final Preprocessor preprocessor;

    /**
     * @param modelPackage the package whose model the session runs
     * @param session      a session created for {@code modelPackage.model()}
     */
    public ImageClassifier(ModelPackage modelPackage, Session session) {
        this.modelPackage = Objects.requireNonNull(modelPackage, "modelPackage");
        this.session = Objects.requireNonNull(session, "session");
        this.preprocessor = modelPackage.preprocessor();
    }

    public ModelPackage modelPackage() {
        return modelPackage;
    }

    /** The top {@code k} classes of one image, highest probability first. */
    public List<Prediction> classify(DecodedImage image, int k) {
        return classifyBatch(List.of(image), k).get(0);
    }

    /** The top {@code k} classes of each image, in input order, run as one batch. */
    public List<List<Prediction>> classifyBatch(List<DecodedImage> images, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, found " + k);
        }
        Tensor output = session.run(preprocessor.toBatch(images));
        return topK(output, images.size(), k);
    }

    /** The top {@code k}, the class distribution and the embedding of one image. */
    public ImageScores score(DecodedImage image, int k) {
        return scoreBatch(List.of(image), k).get(0);
    }

    /**
     * The top {@code k}, the class distribution and the embedding of each image, in input order, from one batched
     * pass. The embedding is empty when the package has none ({@link ModelPackage#embedding()}).
     */
    public List<ImageScores> scoreBatch(List<DecodedImage> images, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, found " + k);
        }
        Tensor input = preprocessor.toBatch(images);
        Map<String, Tensor> outputs = session.run(Map.of(modelPackage.input().name(), input));
        Tensor scores = outputs.get(modelPackage.output().name());
        Tensor embedding = modelPackage.embedding().map(ValueInfo::name).map(outputs::get).orElse(null);
        int batch = images.size();
        int classes = modelPackage.classCount();
        checkScores(scores, batch, classes);
        List<ImageScores> result = new ArrayList<>(batch);
        for (int n = 0; n < batch; n++) {
            double[] p = Scores.probabilities(scores.data(), n * classes, classes, modelPackage.spec().output());
            float[] e = embedding == null ? new float[0] : EmbeddingRows.row(embedding, batch, n);
            result.add(new ImageScores(Scores.topK(p, modelPackage.labels(), k), p, e));
        }
        return result;
    }

    /**
     * The top {@code k} of each row of a model output of {@code batch} images (the first output of this package's
     * model).
     *
     * @throws IllegalArgumentException if the output does not hold {@code batch} rows of one score per label
     */
    public List<List<Prediction>> topK(Tensor output, int batch, int k) {
        int classes = modelPackage.classCount();
        float[] data = output.data();
        checkScores(output, batch, classes);
        List<List<Prediction>> result = new ArrayList<>(batch);
        for (int n = 0; n < batch; n++) {
            double[] p = Scores.probabilities(data, n * classes, classes, modelPackage.spec().output());
            result.add(Scores.topK(p, modelPackage.labels(), k));
        }
        return result;
    }

    private static void checkScores(Tensor output, int batch, int classes) {
        if (output.data().length != (long) batch * classes) {
            throw new IllegalArgumentException("expected an output of " + batch + " x " + classes + " scores, found "
                    + "shape " + output.shape());
        }
    }
}
