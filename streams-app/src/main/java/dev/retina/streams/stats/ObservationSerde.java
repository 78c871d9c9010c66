package dev.retina.streams.stats;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde of {@link Observation}, for the repartition topic that brings each model version's observations to one
 * task (an embedding costs 4 bytes per dimension here, a quarter of a one-observation {@link WindowAggregate}).
 *
 * <p>Format version {@value #VERSION}: one version byte, then strings model name, model version, source; var-long
 * top-1 index; string top-1 label; doubles top-1 score and entropy; var-longs width and height; doubles brightness
 * and contrast; doubles end-to-end and inference milliseconds; 8-byte event time; a byte 0/1 and, when 1, the string
 * ground-truth label; a byte 0/1 and, when 1, the var-long embedding dimension and that many 4-byte floats. Primitive
 * layouts as in {@code StatsWriter}. Unknown versions, truncated or trailing bytes and out-of-range values fail with
 * a {@link StatsFormatException}. Null stays null.
 */
public final class ObservationSerde implements Serde<Observation> {

    /** Current format version. */
    public static final int VERSION = 1;

    private static final Serializer<Observation> SERIALIZER = (topic, value) -> value == null ? null
        : serialize(value);
    private static final Deserializer<Observation> DESERIALIZER = (topic, bytes) -> bytes == null ? null
        : deserialize(bytes);

    /** The bytes of {@code o} in the current format. */
    public static byte[] serialize(Observation o) {
        float[] e = o.embeddingView();
        StatsWriter out = new StatsWriter(96 + (e == null ? 0 : 4 * e.length));
        out.writeByte(VERSION);
        out.writeString(o.modelName());
        out.writeString(o.modelVersion());
        out.writeString(o.source());
        out.writeVarLong(o.top1Index());
        out.writeString(o.top1Label());
        out.writeDouble(o.top1Score());
        out.writeDouble(o.entropy());
        out.writeVarLong(o.width());
        out.writeVarLong(o.height());
        out.writeDouble(o.brightness());
        out.writeDouble(o.contrast());
        out.writeDouble(o.endToEndMillis());
        out.writeDouble(o.inferenceMillis());
        out.writeLong(o.eventTimeMillis());
        if (o.groundTruthLabel() == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            out.writeString(o.groundTruthLabel());
        }
        if (e == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            out.writeVarLong(e.length);
            for (float v : e) {
                out.writeFloat(v);
            }
        }
        return out.toByteArray();
    }

    /**
     * Reads bytes written by {@link #serialize}.
     *
     * @throws StatsFormatException for an unknown version, truncated, trailing or out-of-range data
     */
    public static Observation deserialize(byte[] bytes) {
        StatsReader in = new StatsReader(bytes);
        int version = in.readByte();
        if (version != VERSION) {
            throw new StatsFormatException("expected observation format version " + VERSION + ", found " + version);
        }
        String name = in.readString("model name");
        String modelVersion = in.readString("model version");
        String source = in.readString("source");
        int index = in.readCount("top-1 index", Integer.MAX_VALUE);
        String label = in.readString("top-1 label");
        double score = in.readDouble("top-1 score");
        double entropy = in.readDouble("entropy");
        int width = in.readCount("width", Integer.MAX_VALUE);
        int height = in.readCount("height", Integer.MAX_VALUE);
        double brightness = in.readDouble("brightness");
        double contrast = in.readDouble("contrast");
        double endToEnd = in.readDouble("end-to-end millis");
        double inference = in.readDouble("inference millis");
        long eventTime = in.readLong("event time");
        String truth = marker(in, "ground-truth marker") ? in.readString("ground-truth label") : null;
        float[] embedding = null;
        if (marker(in, "embedding marker")) {
            int dim = in.readCount("embedding dimension", EmbeddingMoments.MAX_DIMENSION);
            if (in.remaining() < 4L * dim) {
                throw new StatsFormatException("truncated: an embedding of dimension " + dim + " needs " + 4L * dim
                    + " bytes, found " + in.remaining());
            }
            embedding = new float[dim];
            for (int i = 0; i < dim; i++) {
                embedding[i] = in.readFloat("embedding value");
            }
        }
        in.requireEnd();
        try {
            return new Observation(name, modelVersion, source, index, label, score, entropy, width, height,
                brightness, contrast, embedding, endToEnd, inference, truth, eventTime);
        } catch (IllegalArgumentException e) {
            throw new StatsFormatException("invalid observation: " + e.getMessage());
        }
    }

    private static boolean marker(StatsReader in, String what) {
        int b = in.readByte();
        if (b > 1) {
            throw new StatsFormatException("expected a " + what + " 0 or 1, found " + b);
        }
        return b == 1;
    }

    @Override
    public Serializer<Observation> serializer() {
        return SERIALIZER;
    }

    @Override
    public Deserializer<Observation> deserializer() {
        return DESERIALIZER;
    }
}
