package dev.retina.streams;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.schemas.avro.Lineage;
import dev.retina.schemas.avro.ModelRef;
import dev.retina.schemas.avro.Prediction;
import dev.retina.schemas.avro.Timings;
import dev.retina.streams.errors.PipelineException;
import dev.retina.streams.errors.Stage;
import dev.retina.streams.metrics.PipelineMetrics;
import dev.retina.streams.model.ModelIdentity;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Classifies each ImageRecord and forwards a {@link ClassifiedImage} (input, classification, ClassificationResult),
 * keeping the record key and timestamp. Failures propagate
 * as {@link PipelineException} to the processing exception handler, which dead-letters the record.
 *
 * <p>End-to-end time runs from the input record's timestamp to the moment the result is built; a producer clock
 * ahead of this instance's would make it negative, so it is reported as 0 then.
 */
final class ClassifyProcessor implements FixedKeyProcessor<byte[], ImageRecord, ClassifiedImage> {

    private final RecordClassifier classifier;
    private final String instanceId;
    private final String inputTopic;
    private final Clock clock;
    private final PipelineMetrics metrics;
    private final PipelineEvents events;
    private FixedKeyProcessorContext<byte[], ClassifiedImage> context;

    ClassifyProcessor(RecordClassifier classifier, String instanceId, String inputTopic, Clock clock,
                      PipelineMetrics metrics) {
        this(classifier, instanceId, inputTopic, clock, metrics, PipelineEvents.NONE);
    }

    ClassifyProcessor(RecordClassifier classifier, String instanceId, String inputTopic, Clock clock,
                      PipelineMetrics metrics, PipelineEvents events) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.inputTopic = Objects.requireNonNull(inputTopic, "inputTopic");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], ClassifiedImage> processorContext) {
        this.context = processorContext;
    }

    @Override
    public void process(FixedKeyRecord<byte[], ImageRecord> record) {
        ImageRecord image = record.value();
        if (image == null) {
            throw new PipelineException(ErrorReason.DESERIALIZATION, Stage.DESERIALIZE,
                "expected an ImageRecord value, found a null value (tombstone)");
        }
        Classification c = classifier.classify(bytes(image.getData()), image.getContentType());
        Instant now = clock.instant();
        RecordMetadata position = context.recordMetadata().orElse(null);
        Lineage lineage = position == null
            ? new Lineage(inputTopic, -1, -1L)
            : new Lineage(position.topic(), position.partition(), position.offset());
        ModelIdentity id = c.model();
        List<Prediction> topK = new ArrayList<>(c.topK().size());
        for (dev.retina.engine.model.Prediction p : c.topK()) {
            topK.add(new Prediction(p.label(), p.index(), p.score()));
        }
        double endToEnd = Math.max(0, now.toEpochMilli() - record.timestamp());
        ClassificationResult result = ClassificationResult.newBuilder()
            .setImageId(image.getImageId())
            .setSource(image.getSource())
            .setModel(new ModelRef(id.name(), id.version(), id.sha256()))
            .setTopK(topK)
            .setTimings(new Timings(c.decodeMillis(), c.inferenceMillis(), endToEnd))
            .setInstanceId(instanceId)
            .setLineage(lineage)
            .setClassifiedAt(now)
            .setGroundTruthLabel(image.getLabel())
            .build();
        ClassifiedImage classified = new ClassifiedImage(image, c, result);
        context.forward(record.withValue(classified));
        events.classified(classified);
        metrics.modelServed(id);
        metrics.classified(id, c.decodeMillis(), c.inferenceMillis(), endToEnd);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
