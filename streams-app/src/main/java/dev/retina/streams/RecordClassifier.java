package dev.retina.streams;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

import dev.retina.engine.image.DecodedImage;
import dev.retina.engine.image.ImageDecodeException;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.image.ImageFileFormat;
import dev.retina.engine.model.EmbeddingRows;
import dev.retina.engine.model.Prediction;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.model.Scores;
import dev.retina.engine.tensor.Tensor;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.streams.errors.ErrorReasons;
import dev.retina.streams.errors.PipelineException;
import dev.retina.streams.errors.Stage;
import dev.retina.streams.model.LiveModel;
import dev.retina.streams.model.ModelUnavailableException;
import dev.retina.streams.model.ServingModel;

/**
 * Classifies one encoded image: decode (header first, within the byte and pixel limits) → preprocess (the model's
 * spec) → forward pass with a deadline → probabilities → top-k. Every failure is a {@link PipelineException} with
 * the frozen reason code and the stage that failed; see {@link ErrorReasons} for the mapping.
 *
 * <p>The engine's {@link dev.retina.engine.model.ImageClassifier} runs preprocess, forward pass and top-k as one
 * call; a record needs more than that: each stage's failure has its own reason code, the forward pass runs under
 * a deadline on the {@link InferenceRunner}, and the full distribution (not only the top k) feeds the statistics.
 * So this class composes the engine's parts ({@link ImageDecoder}, the model's
 * {@link dev.retina.engine.image.Preprocessor}, {@link Scores}) stage by stage instead.
 *
 * <p>Thread-safe: the decoder, the preprocessor and the engine session are, and each call takes the live model
 * once so that one image is classified by one model from start to end.
 */
public final class RecordClassifier {

    private final ImageDecoder decoder;
    private final LiveModel model;
    private final InferenceRunner runner;
    private final int topK;

    public RecordClassifier(ImageDecoder decoder, LiveModel model, InferenceRunner runner, int topK) {
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.model = Objects.requireNonNull(model, "model");
        this.runner = Objects.requireNonNull(runner, "runner");
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, found " + topK);
        }
        this.topK = topK;
    }

    /** A classifier with the image limits and k of the configuration. */
    public static RecordClassifier create(AppConfig config, LiveModel model, InferenceRunner runner) {
        ImageDecoder decoder = ImageDecoder.builder()
            .optMaxBytes(config.maxImageBytes())
            .optMaxPixels(config.maxImagePixels())
            .build();
        return new RecordClassifier(decoder, model, runner, config.topK());
    }

    /**
     * Classifies {@code image}, the bytes of a JPEG, PNG, GIF or BMP file, without a declared content type.
     *
     * @throws PipelineException with the reason and stage of the failure
     */
    public Classification classify(byte[] image) {
        return classify(image, null);
    }

    /**
     * Classifies {@code image}; when {@code contentType} names one of the four formats, the file signature must be
     * that format (a mismatch is UNSUPPORTED_FORMAT: the producer and the bytes disagree about what this is).
     *
     * @throws PipelineException with the reason and stage of the failure
     */
    public Classification classify(byte[] image, String contentType) {
        ServingModel serving;
        try {
            serving = model.current();
        } catch (ModelUnavailableException e) {
            throw new PipelineException(ErrorReason.MODEL_UNAVAILABLE, Stage.MODEL, e.getMessage(), e);
        }
        long start = System.nanoTime();
        checkContentType(image, contentType);
        DecodedImage decoded;
        try {
            decoded = decoder.decode(image);
        } catch (ImageDecodeException e) {
            throw new PipelineException(ErrorReasons.of(e), Stage.DECODE, e.getMessage(), e);
        } catch (RuntimeException e) {
            // ImageIO plug-ins report some malformed files with unchecked exceptions of their own.
            throw new PipelineException(ErrorReason.CORRUPT_IMAGE, Stage.DECODE,
                "the image decoder failed on " + image.length + " bytes: " + e, e);
        }
        checkResizable(serving, decoded);
        Tensor input;
        try {
            input = serving.preprocessor().toTensor(decoded);
        } catch (RuntimeException e) {
            throw new PipelineException(ErrorReason.PREPROCESSING, Stage.PREPROCESS, "cannot preprocess a "
                + decoded.width() + "x" + decoded.height() + " image for " + serving.identity() + " ("
                + serving.spec().toJson() + "): " + e.getMessage(), e);
        }
        long decodedAt = System.nanoTime();
        ServingModel.Outputs outputs = infer(serving, input);
        long inferred = System.nanoTime();
        double[] probabilities = probabilities(serving, outputs.scores());
        List<Prediction> predictions = Scores.topK(probabilities, serving.labels(), topK);
        float[] embedding = embedding(serving, outputs.embedding());
        double[] luma = lumaMeanAndStd(decoded);
        return new Classification(serving.identity(), predictions, probabilities, (decodedAt - start) / 1e6,
            (inferred - decodedAt) / 1e6, decoded.width(), decoded.height(), luma[0], luma[1], embedding);
    }

    /**
     * A shorter-side resize scales the longer side by the same factor; for an extreme aspect ratio that side no
     * longer fits in an int and the resize cannot be expressed. Such images are refused with a clear message.
     */
    private static void checkResizable(ServingModel serving, DecodedImage image) {
        PreprocessSpec spec = serving.spec();
        if (spec.resize() != PreprocessSpec.ResizePolicy.SHORTER_SIDE) {
            return;
        }
        int shorter = Math.min(image.width(), image.height());
        int longer = Math.max(image.width(), image.height());
        long resized = (long) spec.resizeSize() * longer / shorter;
        if (resized > Integer.MAX_VALUE) {
            throw new PipelineException(ErrorReason.PREPROCESSING, Stage.PREPROCESS, "cannot preprocess a "
                + image.width() + "x" + image.height() + " image for " + serving.identity() + ": resizing its shorter "
                + "side to " + spec.resizeSize() + " would make the longer side " + resized + " pixels; expected "
                + "an aspect ratio of at most " + (Integer.MAX_VALUE / spec.resizeSize()) + ":1");
        }
    }

    private static void checkContentType(byte[] image, String contentType) {
        ImageFileFormat declared = ContentTypes.declared(contentType).orElse(null);
        if (declared == null) {
            return;
        }
        ImageFileFormat found = ImageFileFormat.detect(image).orElse(null);
        if (found != null && found != declared) {
            throw new PipelineException(ErrorReason.UNSUPPORTED_FORMAT, Stage.DECODE, "content type '" + contentType
                + "' declares " + declared + " but the " + image.length + " bytes have a " + found + " signature");
        }
    }

    private ServingModel.Outputs infer(ServingModel serving, Tensor input) {
        try {
            return runner.runWithEmbedding(serving.inference(), input);
        } catch (TimeoutException e) {
            throw new PipelineException(ErrorReason.TIMEOUT, Stage.INFER, "inference with " + serving.identity()
                + " did not finish within " + runner.timeout().toMillis() + " ms (inference.timeout.ms)", e);
        } catch (RejectedExecutionException e) {
            throw new PipelineException(ErrorReason.TIMEOUT, Stage.INFER, "no inference slot free: "
                + runner.inFlight() + " earlier inferences are still running past their "
                + runner.timeout().toMillis() + " ms deadline", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new PipelineException(ErrorReason.INFERENCE, Stage.INFER, "inference with " + serving.identity()
                + " failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            // The stream thread is being shut down; keep the interrupt and let Kafka Streams see a failure.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for inference", e);
        }
    }

    /** Mean and population standard deviation of the ITU-R 601 luma, both in [0, 1]. */
    static double[] lumaMeanAndStd(DecodedImage image) {
        byte[] rgb = image.pixels();
        long n = (long) image.width() * image.height();
        double sum = 0;
        double sumSquares = 0;
        for (int i = 0; i < rgb.length; i += 3) {
            double y = (0.299 * (rgb[i] & 0xFF) + 0.587 * (rgb[i + 1] & 0xFF) + 0.114 * (rgb[i + 2] & 0xFF)) / 255.0;
            sum += y;
            sumSquares += y * y;
        }
        double mean = sum / n;
        double variance = Math.max(0, sumSquares / n - mean * mean);
        return new double[] {Math.min(1, Math.max(0, mean)), Math.min(1, Math.sqrt(variance))};
    }

    /**
     * The embedding of the one image in {@code output}, or null without one. A non-finite value is a model failure
     * like a non-finite score: the statistics must not be poisoned by it.
     */
    private static float[] embedding(ServingModel serving, Tensor output) {
        if (output == null) {
            return null;
        }
        float[] row;
        try {
            row = EmbeddingRows.row(output, 1, 0);
        } catch (IllegalArgumentException e) {
            throw new PipelineException(ErrorReason.INFERENCE, Stage.POSTPROCESS, "the embedding output of "
                + serving.identity() + " does not hold one image: " + e.getMessage(), e);
        }
        for (int i = 0; i < row.length; i++) {
            if (!Float.isFinite(row[i])) {
                throw new PipelineException(ErrorReason.INFERENCE, Stage.POSTPROCESS, "expected a finite embedding, "
                    + "found " + row[i] + " in dimension " + i + " from " + serving.identity());
            }
        }
        return row.length == 0 ? null : row;
    }

    private double[] probabilities(ServingModel serving, Tensor output) {
        int classes = serving.labels().size();
        float[] scores = output.data();
        long size = output.shape().size();
        if (size != classes) {
            throw new PipelineException(ErrorReason.INFERENCE, Stage.POSTPROCESS, "expected the model output to "
                + "hold one score per label (" + classes + ") for one image, found shape " + output.shape());
        }
        for (int i = 0; i < classes; i++) {
            if (!Float.isFinite(scores[i])) {
                throw new PipelineException(ErrorReason.INFERENCE, Stage.POSTPROCESS, "expected finite scores, "
                    + "found " + scores[i] + " for class " + i + " ('" + serving.labels().get(i) + "')");
            }
        }
        if (serving.spec().output() == PreprocessSpec.OutputKind.PROBABILITIES) {
            // Taken as they are, so they must be probabilities: the entropy and the statistics rely on it.
            for (int i = 0; i < classes; i++) {
                if (scores[i] < 0f || scores[i] > 1f) {
                    throw new PipelineException(ErrorReason.INFERENCE, Stage.POSTPROCESS, "expected probabilities "
                        + "in [0, 1] (preprocess.json output \"probabilities\"), found " + scores[i] + " for class "
                        + i + " ('" + serving.labels().get(i) + "')");
                }
            }
        }
        return Scores.probabilities(scores, 0, classes, serving.spec().output());
    }
}
