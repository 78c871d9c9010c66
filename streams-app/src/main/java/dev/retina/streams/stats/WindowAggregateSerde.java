package dev.retina.streams.stats;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde of {@link WindowAggregate}, the value of the windowed state store and its changelog.
 *
 * <p>Format: one version byte, then the body of that version. Version {@value #VERSION} is the layout documented on
 * {@code WindowAggregate.writeTo} and the classes it delegates to (doubles as 8 big-endian bytes, counts as
 * unsigned LEB128 var-longs, strings as length-prefixed UTF-8, histograms sparse). A reader refuses versions it does
 * not know and bytes left over after the body, with a {@link StatsFormatException}; a later format must keep
 * reading version 1, since changelogs outlive deployments. Null stays null (a tombstone).
 */
public final class WindowAggregateSerde implements Serde<WindowAggregate> {

    /** Current format version. */
    public static final int VERSION = 1;

    private static final Serializer<WindowAggregate> SERIALIZER = (topic, value) -> value == null ? null
        : serialize(value);
    private static final Deserializer<WindowAggregate> DESERIALIZER = (topic, bytes) -> bytes == null ? null
        : deserialize(bytes);

    /** The bytes of {@code value} in the current format. */
    public static byte[] serialize(WindowAggregate value) {
        StatsWriter out = new StatsWriter(512);
        out.writeByte(VERSION);
        value.writeTo(out);
        return out.toByteArray();
    }

    /**
     * Reads bytes written by {@link #serialize}.
     *
     * @throws StatsFormatException for an unknown version, truncated, trailing or inconsistent data
     */
    public static WindowAggregate deserialize(byte[] bytes) {
        StatsReader in = new StatsReader(bytes);
        int version = in.readByte();
        if (version != VERSION) {
            throw new StatsFormatException("expected window aggregate format version " + VERSION + ", found "
                + version);
        }
        WindowAggregate w = WindowAggregate.readFrom(in);
        in.requireEnd();
        return w;
    }

    @Override
    public Serializer<WindowAggregate> serializer() {
        return SERIALIZER;
    }

    @Override
    public Deserializer<WindowAggregate> deserializer() {
        return DESERIALIZER;
    }
}
