package dev.retina.streams;

import dev.retina.engine.model.Prediction;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.stats.Observation;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Turns each {@link ClassifiedImage} into the {@link Observation} the window statistics aggregate. The event time is
 * the input record's timestamp (which the classification keeps), so the statistics windows follow the images'
 * timestamps, not the wall clock; the end-to-end latency is the one written in the ClassificationResult.
 */
final class ObservationMapper implements FixedKeyProcessor<byte[], ClassifiedImage, Observation> {

    private FixedKeyProcessorContext<byte[], Observation> context;

    @Override
    public void init(FixedKeyProcessorContext<byte[], Observation> processorContext) {
        this.context = processorContext;
    }

    @Override
    public void process(FixedKeyRecord<byte[], ClassifiedImage> record) {
        context.forward(record.withValue(observation(record.value(), record.timestamp())));
    }

    /** The observation of one classified image whose input record had timestamp {@code eventTimeMillis}. */
    static Observation observation(ClassifiedImage classified, long eventTimeMillis) {
        Classification c = classified.classification();
        ImageRecord input = classified.input();
        ModelIdentity model = c.model();
        Prediction top1 = c.topK().get(0);
        return Observation.builder()
            .setModel(model.name(), model.version())
            .setSource(input.getSource())
            .setTop1(top1.index(), top1.label(), top1.score())
            .setProbabilities(c.probabilities())
            .setImage(c.width(), c.height(), c.brightness(), c.contrast())
            .optEmbedding(c.embedding())
            .setLatency(classified.result().getTimings().getEndToEndMillis(), c.inferenceMillis())
            .optGroundTruth(input.getLabel())
            .setEventTime(eventTimeMillis)
            .build();
    }
}
