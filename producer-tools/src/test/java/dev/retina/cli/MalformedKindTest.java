package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.image.ImageDecodeException;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.image.ImageFileFormat;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.ImageRecord;
import dev.retina.streams.errors.ErrorReasons;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The malformed records of {@code --bad}: each image kind fails the engine's decoder with the reason the pipeline
 * maps to the kind's expected code, and each frame kind breaks the Confluent header or body as named. The whole
 * pipeline's answer to every kind is checked against a broker in the tests module.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MalformedKindTest {

    /** Stands in for the Avro serializer: a frame header with schema id 1 followed by the image bytes. */
    private static byte[] frame(ImageRecord record, AtomicReference<ImageRecord> seen) {
        seen.set(record);
        ByteBuffer data = record.getData().duplicate();
        ByteBuffer out = ByteBuffer.allocate(5 + data.remaining());
        out.put((byte) 0).putInt(1).put(data);
        return out.array();
    }

    private static ImageRecord imageRecordOf(MalformedKind kind) {
        AtomicReference<ImageRecord> seen = new AtomicReference<>();
        kind.value(new SplittableRandom(7), "img-1", r -> frame(r, seen));
        assertThat(seen.get()).as("%s carries an ImageRecord", kind).isNotNull();
        assertThat(seen.get().getImageId()).isEqualTo("img-1");
        return seen.get();
    }

    private static byte[] bytes(ImageRecord record) {
        ByteBuffer data = record.getData().duplicate();
        byte[] out = new byte[data.remaining()];
        data.get(out);
        return out;
    }

    private static ErrorReason decoderReason(MalformedKind kind) {
        byte[] image = bytes(imageRecordOf(kind));
        try {
            ImageDecoder.withDefaults().decode(image);
        } catch (ImageDecodeException e) {
            return ErrorReasons.of(e);
        }
        throw new AssertionError(kind + " decoded without an error");
    }

    @Test
    void imageKindsFailTheDecoderWithTheirExpectedReason() {
        for (MalformedKind kind : EnumSet.of(MalformedKind.NOT_AN_IMAGE, MalformedKind.EMPTY_IMAGE,
                MalformedKind.TRUNCATED_PNG, MalformedKind.GARBAGE_WITH_PNG_SIGNATURE,
                MalformedKind.OVERSIZE_PIXEL_COUNT)) {
            assertThat(decoderReason(kind)).as(kind.name()).isEqualTo(kind.expectedReason());
        }
    }

    @Test
    void contentTypeMismatchIsAValidPngDeclaredAsJpeg() {
        ImageRecord record = imageRecordOf(MalformedKind.CONTENT_TYPE_MISMATCH);

        assertThat(record.getContentType()).isEqualTo("image/jpeg");
        assertThat(ImageFileFormat.detect(bytes(record))).contains(ImageFileFormat.PNG);
        assertThat(ImageDecoder.withDefaults().decode(bytes(record)).width()).isEqualTo(64);
    }

    @Test
    void oversizeHeaderIsAWellFormedPngHeader() {
        byte[] header = MalformedKind.pngHeader(3, 2);

        // Signature, IHDR length 13, type, width 3, height 2, and the CRC-32 of type + data (computed by hand).
        ByteBuffer b = ByteBuffer.wrap(header);
        assertThat(b.getLong(0)).isEqualTo(0x89504E470D0A1A0AL);
        assertThat(b.getInt(8)).isEqualTo(13);
        assertThat(b.getInt(16)).isEqualTo(3);
        assertThat(b.getInt(20)).isEqualTo(2);
        assertThat(header).hasSize(8 + 25 + 12);
        assertThatThrownBy(() -> ImageDecoder.withDefaults().decode(MalformedKind.pngHeader(100_000, 100_000)))
                .isInstanceOf(ImageDecodeException.class)
                .hasMessageContaining("100000");
    }

    @Test
    void frameKindsBreakTheHeaderOrTheBody() {
        AtomicReference<ImageRecord> seen = new AtomicReference<>();
        SplittableRandom rnd = new SplittableRandom(3);

        assertThat(MalformedKind.WRONG_MAGIC_BYTE.value(rnd, "x", r -> frame(r, seen))[0]).isEqualTo((byte) '{');
        byte[] unknown = MalformedKind.UNKNOWN_SCHEMA_ID.value(rnd, "x", r -> frame(r, seen));
        assertThat(unknown[0]).isZero();
        assertThat(ByteBuffer.wrap(unknown).getInt(1)).isEqualTo(MalformedKind.UNREGISTERED_SCHEMA_ID);
        byte[] whole = frame(seen.get(), seen);
        byte[] truncated = MalformedKind.TRUNCATED_AVRO.value(new SplittableRandom(3), "x", r -> frame(r, seen));
        assertThat(truncated.length).isLessThan(frame(seen.get(), seen).length).isGreaterThan(5);
        assertThat(whole.length).isGreaterThan(5);
        assertThat(MalformedKind.SHORTER_THAN_HEADER.value(rnd, "x", r -> frame(r, seen))).hasSizeLessThan(5);
        assertThat(MalformedKind.TOMBSTONE.value(rnd, "x", r -> frame(r, seen))).isNull();
    }

    @Test
    void sameSeedSameBytes() {
        for (MalformedKind kind : MalformedKind.values()) {
            AtomicReference<ImageRecord> a = new AtomicReference<>();
            AtomicReference<ImageRecord> b = new AtomicReference<>();
            byte[] first = kind.value(new SplittableRandom(11), "id", r -> frame(r, a));
            byte[] second = kind.value(new SplittableRandom(11), "id", r -> frame(r, b));
            assertThat(first).as(kind.name()).isEqualTo(second);
        }
    }

    @Test
    void everyReasonBadDataCanCauseIsCovered() {
        EnumSet<ErrorReason> covered = EnumSet.noneOf(ErrorReason.class);
        for (MalformedKind kind : MalformedKind.values()) {
            covered.add(kind.expectedReason());
        }
        assertThat(covered).containsExactlyInAnyOrder(ErrorReason.DESERIALIZATION, ErrorReason.UNSUPPORTED_FORMAT,
                ErrorReason.CORRUPT_IMAGE, ErrorReason.IMAGE_TOO_LARGE);
        assertThat(MalformedKind.values()).hasSizeGreaterThanOrEqualTo(8);
    }
}
