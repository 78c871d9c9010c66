package dev.retina.cli;

import dev.retina.engine.data.ImageFormat;
import dev.retina.engine.data.SyntheticShapes;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.ImageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.zip.CRC32;

/**
 * The kinds of malformed input record {@code retina produce --bad} mixes in, one or more per dead-letter reason the
 * pipeline can be made to produce from bad data alone, each with the reason code the pipeline must give it.
 *
 * <p>Kinds that break the image travel inside a well-formed ImageRecord; kinds that break the record itself
 * (magic byte, schema id, truncation, tombstone) are raw bytes that never went through the Avro serializer. A
 * value is built from a seeded random source, so the same seed gives the same bytes.
 */
public enum MalformedKind {

    /** Text bytes in an ImageRecord declared {@code application/octet-stream}: no known image signature. */
    NOT_AN_IMAGE(ErrorReason.UNSUPPORTED_FORMAT),
    /** A valid PNG declared as {@code image/jpeg}: producer and bytes disagree. */
    CONTENT_TYPE_MISMATCH(ErrorReason.UNSUPPORTED_FORMAT),
    /** An ImageRecord with zero image bytes. */
    EMPTY_IMAGE(ErrorReason.CORRUPT_IMAGE),
    /** The first half of a valid PNG file. */
    TRUNCATED_PNG(ErrorReason.CORRUPT_IMAGE),
    /** The PNG signature followed by random bytes. */
    GARBAGE_WITH_PNG_SIGNATURE(ErrorReason.CORRUPT_IMAGE),
    /** A well-formed PNG header announcing 100,000 x 100,000 pixels (no pixel data needed to refuse it). */
    OVERSIZE_PIXEL_COUNT(ErrorReason.IMAGE_TOO_LARGE),
    /** JSON text instead of a Confluent frame: the first byte is not the magic byte 0. */
    WRONG_MAGIC_BYTE(ErrorReason.DESERIALIZATION),
    /** A Confluent frame whose schema id the registry does not know. */
    UNKNOWN_SCHEMA_ID(ErrorReason.DESERIALIZATION),
    /** A valid ImageRecord frame cut off inside its image bytes. */
    TRUNCATED_AVRO(ErrorReason.DESERIALIZATION),
    /** Three bytes: shorter than the 5-byte frame header. */
    SHORTER_THAN_HEADER(ErrorReason.DESERIALIZATION),
    /** A null value (tombstone) on the images topic. */
    TOMBSTONE(ErrorReason.DESERIALIZATION);

    /** Schema id used by {@link #UNKNOWN_SCHEMA_ID}; registries hand out small ids, so it is never registered. */
    public static final int UNREGISTERED_SCHEMA_ID = 0x7FFF_FFF0;
    /** Width and height announced by {@link #OVERSIZE_PIXEL_COUNT}. */
    public static final int OVERSIZE_SIDE = 100_000;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

    private final ErrorReason expectedReason;

    MalformedKind(ErrorReason expectedReason) {
        this.expectedReason = expectedReason;
    }

    /** The reason code the pipeline must dead-letter this kind with. */
    public ErrorReason expectedReason() {
        return expectedReason;
    }

    /**
     * The record value of this kind (null for {@link #TOMBSTONE}).
     *
     * @param rnd       seeded source of the random parts
     * @param imageId   the image id written into kinds that carry an ImageRecord
     * @param serialize turns an ImageRecord into its Confluent-framed bytes (the producer's value serializer)
     */
    public byte[] value(SplittableRandom rnd, String imageId, Function<ImageRecord, byte[]> serialize) {
        switch (this) {
            case NOT_AN_IMAGE:
                return serialize.apply(record(imageId, "application/octet-stream",
                        ("this is not an image " + rnd.nextLong()).getBytes(StandardCharsets.UTF_8)));
            case CONTENT_TYPE_MISMATCH:
                return serialize.apply(record(imageId, ImageFormat.JPEG.contentType(), validPng(rnd)));
            case EMPTY_IMAGE:
                return serialize.apply(record(imageId, "image/png", new byte[0]));
            case TRUNCATED_PNG: {
                byte[] png = validPng(rnd);
                return serialize.apply(record(imageId, "image/png", Arrays.copyOf(png, png.length / 2)));
            }
            case GARBAGE_WITH_PNG_SIGNATURE: {
                byte[] garbage = new byte[64 + rnd.nextInt(512)];
                rnd.nextBytes(garbage);
                System.arraycopy(PNG_SIGNATURE, 0, garbage, 0, PNG_SIGNATURE.length);
                // Byte 8..15 would be the IHDR chunk's length and type; make sure they cannot form one by chance.
                garbage[12] = 'X';
                return serialize.apply(record(imageId, "image/png", garbage));
            }
            case OVERSIZE_PIXEL_COUNT:
                return serialize.apply(record(imageId, "image/png", pngHeader(OVERSIZE_SIDE, OVERSIZE_SIDE)));
            case WRONG_MAGIC_BYTE:
                return ("{\"imageId\": \"" + imageId + "\", \"data\": \"not a Confluent frame\"}")
                        .getBytes(StandardCharsets.UTF_8);
            case UNKNOWN_SCHEMA_ID: {
                byte[] body = serialize.apply(record(imageId, "image/png", validPng(rnd)));
                ByteBuffer.wrap(body).put(0, (byte) 0).putInt(1, UNREGISTERED_SCHEMA_ID);
                return body;
            }
            case TRUNCATED_AVRO: {
                byte[] whole = serialize.apply(record(imageId, "image/png", validPng(rnd)));
                return Arrays.copyOf(whole, whole.length * 2 / 3);
            }
            case SHORTER_THAN_HEADER:
                return new byte[] {0, 0, 1};
            case TOMBSTONE:
                return null;
            default:
                throw new AssertionError(this);
        }
    }

    private static ImageRecord record(String imageId, String contentType, byte[] data) {
        return ImageRecord.newBuilder()
                .setImageId(imageId)
                .setSource("retina-produce-bad")
                .setCapturedAt(Instant.ofEpochMilli(Instant.now().toEpochMilli()))
                .setContentType(contentType)
                .setData(ByteBuffer.wrap(data))
                .setLabel(null)
                .setMetadata(Map.of())
                .build();
    }

    private static byte[] validPng(SplittableRandom rnd) {
        return ImageFormat.PNG.encode(new SyntheticShapes(rnd.nextLong(), 1).image(0));
    }

    /** The PNG signature, an IHDR chunk (8-bit RGB, {@code width x height}) with its CRC, and IEND. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(PNG_SIGNATURE.length + 25 + 12);
        b.put(PNG_SIGNATURE);
        b.putInt(13);
        int crcStart = b.position();
        b.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putInt(crc(b.array(), crcStart, b.position() - crcStart));
        b.putInt(0);
        crcStart = b.position();
        b.put("IEND".getBytes(StandardCharsets.US_ASCII));
        b.putInt(crc(b.array(), crcStart, 4));
        return b.array();
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
