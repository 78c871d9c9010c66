package dev.retina.streams.stats;

import java.util.Arrays;
import java.util.Objects;

import dev.retina.engine.image.DecodedImage;

/**
 * What the classification step learnt about one image, the input of the window statistics.
 *
 * @param modelName        name of the model that classified the image
 * @param modelVersion     version of that model
 * @param source           who produced the image ({@code ImageRecord.source})
 * @param top1Index        zero-based class index of the most probable class
 * @param top1Label        label of that class
 * @param top1Score        its probability, in [0, 1]
 * @param entropy          Shannon entropy of the full class distribution in nats, {@code >= 0}
 *                         (see {@link #entropyOf(double[])})
 * @param width            decoded image width in pixels, {@code > 0}
 * @param height           decoded image height in pixels, {@code > 0}
 * @param brightness       mean luma of the decoded image, in [0, 1]
 * @param contrast         standard deviation of the luma, in [0, 1]
 * @param embedding        the model's embedding vector (input of the final classifier layer), or null when the
 *                         model exposes none; every value finite; copied on the way in and out
 * @param endToEndMillis   from image capture to classification, milliseconds, finite and {@code >= 0}
 *                         (callers clamp a negative value caused by clock skew to 0)
 * @param inferenceMillis  forward pass time, milliseconds, finite and {@code >= 0}
 * @param groundTruthLabel the image's ground-truth label when the producer knew it, else null
 * @param eventTimeMillis  event time of the image record, milliseconds since the epoch
 */
public record Observation(String modelName, String modelVersion, String source, int top1Index, String top1Label,
                          double top1Score, double entropy, int width, int height, double brightness,
                          double contrast, float[] embedding, double endToEndMillis, double inferenceMillis,
                          String groundTruthLabel, long eventTimeMillis) {

    public Observation {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(top1Label, "top1Label");
        if (top1Index < 0) {
            throw new IllegalArgumentException("top1Index must be >= 0, found " + top1Index);
        }
        requireUnit("top1Score", top1Score);
        if (!(entropy >= 0 && Double.isFinite(entropy))) {
            throw new IllegalArgumentException("entropy must be finite and >= 0, found " + entropy);
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, found " + width + "x" + height);
        }
        requireUnit("brightness", brightness);
        requireUnit("contrast", contrast);
        requireMillis("endToEndMillis", endToEndMillis);
        requireMillis("inferenceMillis", inferenceMillis);
        if (embedding != null) {
            if (embedding.length == 0) {
                throw new IllegalArgumentException("embedding must be null or non-empty, found length 0");
            }
            embedding = embedding.clone();
            for (int i = 0; i < embedding.length; i++) {
                if (!Float.isFinite(embedding[i])) {
                    throw new IllegalArgumentException("embedding values must be finite, found " + embedding[i]
                        + " at index " + i);
                }
            }
        }
    }

    /** A copy of the embedding, or null. */
    @Override
    public float[] embedding() {
        return embedding == null ? null : embedding.clone();
    }

    /** Whether the image carried a ground-truth label. */
    public boolean labelled() {
        return groundTruthLabel != null;
    }

    /** Whether the image carried a ground-truth label equal to the top-1 label. */
    public boolean correct() {
        return top1Label.equals(groundTruthLabel);
    }

    /** Package-private view of the embedding without the defensive copy, for the accumulators. */
    float[] embeddingView() {
        return embedding;
    }

    /**
     * Shannon entropy {@code -sum p ln p} in nats of a probability vector (terms with {@code p = 0} contribute 0).
     *
     * @throws IllegalArgumentException if a value is outside [0, 1] or not finite
     */
    public static double entropyOf(double[] probabilities) {
        double h = 0;
        for (int i = 0; i < probabilities.length; i++) {
            double p = probabilities[i];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probabilities must be in [0, 1], found " + p + " at index " + i);
            }
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /** A builder; every {@code set...} is required, every {@code opt...} optional, checked on {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Observation} from the pieces the classification step has at hand. */
    public static final class Builder {
        private String modelName;
        private String modelVersion;
        private String source;
        private Integer top1Index;
        private String top1Label;
        private double top1Score;
        private Double entropy;
        private Integer width;
        private int height;
        private Double brightness;
        private double contrast;
        private float[] embedding;
        private Double endToEndMillis;
        private double inferenceMillis;
        private String groundTruthLabel;
        private Long eventTimeMillis;

        private Builder() {
        }

        public Builder setModel(String name, String version) {
            this.modelName = name;
            this.modelVersion = version;
            return this;
        }

        public Builder setSource(String source) {
            this.source = source;
            return this;
        }

        public Builder setTop1(int index, String label, double score) {
            this.top1Index = index;
            this.top1Label = label;
            this.top1Score = score;
            return this;
        }

        /** The full class distribution, from which the entropy is computed ({@link #entropyOf}). */
        public Builder setProbabilities(double[] probabilities) {
            this.entropy = entropyOf(probabilities);
            return this;
        }

        /** The entropy in nats, when the caller has it without the full distribution. */
        public Builder setEntropy(double entropy) {
            this.entropy = entropy;
            return this;
        }

        public Builder setImage(int width, int height, double brightness, double contrast) {
            this.width = width;
            this.height = height;
            this.brightness = brightness;
            this.contrast = contrast;
            return this;
        }

        /** Size, brightness and contrast of a decoded image (one pass over its pixels, see {@link LumaSummary}). */
        public Builder setImage(DecodedImage image) {
            LumaSummary luma = LumaSummary.of(image);
            return setImage(image.width(), image.height(), luma.brightness(), luma.contrast());
        }

        public Builder setLatency(double endToEndMillis, double inferenceMillis) {
            this.endToEndMillis = endToEndMillis;
            this.inferenceMillis = inferenceMillis;
            return this;
        }

        public Builder setEventTime(long epochMillis) {
            this.eventTimeMillis = epochMillis;
            return this;
        }

        public Builder optEmbedding(float[] embedding) {
            this.embedding = embedding;
            return this;
        }

        public Builder optGroundTruth(String label) {
            this.groundTruthLabel = label;
            return this;
        }

        /**
         * The observation.
         *
         * @throws IllegalStateException naming the first required part that was not set
         * @throws IllegalArgumentException if a value is out of range (see the record components)
         */
        public Observation build() {
            require(modelName != null && modelVersion != null, "setModel");
            require(source != null, "setSource");
            require(top1Index != null && top1Label != null, "setTop1");
            require(entropy != null, "setProbabilities or setEntropy");
            require(width != null && brightness != null, "setImage");
            require(endToEndMillis != null, "setLatency");
            require(eventTimeMillis != null, "setEventTime");
            return new Observation(modelName, modelVersion, source, top1Index, top1Label, top1Score, entropy, width,
                height, brightness, contrast, embedding, endToEndMillis, inferenceMillis, groundTruthLabel,
                eventTimeMillis);
        }

        private static void require(boolean set, String what) {
            if (!set) {
                throw new IllegalStateException("an observation needs " + what + "() before build()");
            }
        }
    }

    private static void requireUnit(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], found " + v);
        }
    }

    private static void requireMillis(String name, double v) {
        if (!(v >= 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, found " + v);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Observation other
            && modelName.equals(other.modelName) && modelVersion.equals(other.modelVersion)
            && source.equals(other.source) && top1Index == other.top1Index && top1Label.equals(other.top1Label)
            && Double.compare(top1Score, other.top1Score) == 0 && Double.compare(entropy, other.entropy) == 0
            && width == other.width && height == other.height
            && Double.compare(brightness, other.brightness) == 0 && Double.compare(contrast, other.contrast) == 0
            && Arrays.equals(embedding, other.embedding)
            && Double.compare(endToEndMillis, other.endToEndMillis) == 0
            && Double.compare(inferenceMillis, other.inferenceMillis) == 0
            && Objects.equals(groundTruthLabel, other.groundTruthLabel) && eventTimeMillis == other.eventTimeMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelName, modelVersion, source, top1Index, top1Label, top1Score, entropy, width, height,
            brightness, contrast, Arrays.hashCode(embedding), endToEndMillis, inferenceMillis, groundTruthLabel,
            eventTimeMillis);
    }

    @Override
    public String toString() {
        return "Observation[" + modelName + ":" + modelVersion + " source=" + source + " top1=" + top1Label + "#"
            + top1Index + " score=" + top1Score + " entropy=" + entropy + " size=" + width + "x" + height
            + " brightness=" + brightness + " contrast=" + contrast
            + " embedding=" + (embedding == null ? "none" : embedding.length + " dims")
            + " endToEndMs=" + endToEndMillis + " inferenceMs=" + inferenceMillis
            + " label=" + groundTruthLabel + " eventTime=" + eventTimeMillis + "]";
    }
}
