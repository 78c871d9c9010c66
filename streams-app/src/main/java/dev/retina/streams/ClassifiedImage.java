package dev.retina.streams;

import java.util.Objects;

import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.ImageRecord;

/**
 * One classified image inside the topology: the input record, the classification with its image statistics, and
 * the result written to the output topic. Later stages (window statistics) branch off the stream of these; it never
 * leaves the sub-topology, so it needs no serde.
 *
 * @param input          the ImageRecord as read
 * @param classification what the classifier found, including brightness, contrast and the full distribution
 * @param result         the ClassificationResult for the output topic
 */
public record ClassifiedImage(ImageRecord input, Classification classification, ClassificationResult result) {

    public ClassifiedImage {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(classification, "classification");
        Objects.requireNonNull(result, "result");
    }
}
