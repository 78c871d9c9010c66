package dev.retina.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NpyTest {

    @Test
    void writesTheExactBytesNumpyWrites() {
        Tensor t = Tensor.of(Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6});
        byte[] bytes = Npy.toBytes(t);

        // numpy.save(np.arange(1, 7, dtype='<f4').reshape(2, 3)) writes exactly these 152 bytes: magic, version
        // 1.0, header length 118 (so the data starts at 128, a multiple of 64), the dict padded with spaces, '\n'.
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0});
        expected.writeBytes((dict + " ".repeat(117 - dict.length()) + "\n").getBytes(StandardCharsets.US_ASCII));
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 6; i++) {
            data.putFloat(i);
        }
        expected.writeBytes(data.array());
        assertThat(bytes).hasSize(152).containsExactly(expected.toByteArray());
    }

    @Test
    void oneDimensionalShapesUsePythonsOneElementTuple() {
        byte[] bytes = Npy.toBytes(Tensor.of(Shape.of(3), new float[] {1, 2, 3}));
        assertThat(new String(bytes, 10, 118, StandardCharsets.US_ASCII)).contains("'shape': (3,), }");
        byte[] scalar = Npy.toBytes(Tensor.of(Shape.scalar(), new float[] {7}));
        assertThat(new String(scalar, 10, 118, StandardCharsets.US_ASCII)).contains("'shape': (), }");
        assertThat(Npy.read(scalar).data()).containsExactly(7f);
        assertThat(Npy.read(scalar).shape()).isEqualTo(Shape.scalar());
    }

    @Test
    void roundTripsThroughAFile(@TempDir Path dir) throws IOException {
        Random random = new Random(11);
        float[] data = new float[2 * 3 * 5 * 7];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        data[0] = Float.NaN;
        data[1] = Float.NEGATIVE_INFINITY;
        data[2] = -0f;
        Tensor t = Tensor.of(Shape.of(2, 3, 5, 7), data);
        Path file = dir.resolve("x.npy");
        Npy.write(t, file);
        Tensor back = Npy.read(file);
        assertThat(back.shape()).isEqualTo(t.shape());
        assertThat(Arrays.equals(back.data(), data)).isTrue();
        assertThat((Files.size(file) - 4L * data.length) % 64).as("data starts 64-byte aligned").isZero();
    }

    @Test
    void roundTripsMoreThanOneReadChunk() {
        float[] data = new float[200_003];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f;
        }
        Tensor back = Npy.read(Npy.toBytes(Tensor.of(Shape.of(data.length), data)));
        assertThat(back.data()).containsExactly(data);
    }

    @Test
    void readsVersion2And3HeadersFloat64AndBigEndian() {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
        byte[] f8 = npy(2, 0, dict, ByteOrder.LITTLE_ENDIAN, 8, 1.5, -2.25);
        Tensor t = Npy.read(f8);
        assertThat(t.shape()).isEqualTo(Shape.of(2));
        assertThat(t.data()).containsExactly(1.5f, -2.25f);

        byte[] v3 = npy(3, 0, "{\"descr\": '>f4', \"shape\": (1, 2), 'fortran_order': False}", ByteOrder.BIG_ENDIAN,
                4, 3, 4);
        Tensor t3 = Npy.read(v3);
        assertThat(t3.shape()).isEqualTo(Shape.of(1, 2));
        assertThat(t3.data()).containsExactly(3f, 4f);

        byte[] v1 = npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 1L)}", ByteOrder.LITTLE_ENDIAN,
                4, 5, 6);
        assertThat(Npy.read(v1).shape()).isEqualTo(Shape.of(2, 1));
    }

    @Test
    void rejectsFortranOrder() {
        byte[] f = npy(1, 0, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", ByteOrder.LITTLE_ENDIAN, 4,
                1, 2, 3, 4);
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("fortran_order True is not supported: expected C order");
    }

    @Test
    void rejectsUnsupportedDtypes() {
        byte[] f = npy(1, 0, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", ByteOrder.LITTLE_ENDIAN, 8,
                1);
        assertThatThrownBy(() -> Npy.read(f)).hasMessageContaining("unsupported dtype '<i8': expected '<f4' (float32)");
    }

    @Test
    void rejectsTruncatedData() {
        byte[] full = Npy.toBytes(Tensor.of(Shape.of(4), new float[] {1, 2, 3, 4}));
        assertThatThrownBy(() -> Npy.read(Arrays.copyOf(full, full.length - 1)))
                .hasMessageContaining("truncated data: shape [4] of <f4 needs 16 bytes after the header, found 15");
        assertThatThrownBy(() -> Npy.read(Arrays.copyOf(full, 30)))
                .hasMessageContaining("truncated file: expected the 118-byte header, found only 20 byte(s)");
    }

    @Test
    void hugeClaimedShapeOverAShortFileFailsAsTruncatedWithoutAllocatingTheClaim() {
        byte[] f = npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (20000, 20000), }",
                ByteOrder.LITTLE_ENDIAN, 4, 1, 2);
        assertThatThrownBy(() -> Npy.read(f)).hasMessageContaining("needs 1600000000 bytes after the header, found 8");
        byte[] tooMany = npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }",
                ByteOrder.LITTLE_ENDIAN, 4);
        assertThatThrownBy(() -> Npy.read(tooMany)).hasMessageContaining("more than a float array can hold");
    }

    @Test
    void rejectsBadMagicVersionsAndHeaders() {
        assertThatThrownBy(() -> Npy.read(new byte[0])).hasMessageContaining("found an empty file");
        assertThatThrownBy(() -> Npy.read("PK\u0003\u0004abcdefgh".getBytes(StandardCharsets.ISO_8859_1)))
                .hasMessageContaining("expected the .npy magic \\x93NUMPY, found 50 4B 03 04");
        assertThatThrownBy(() -> Npy.read(npy(4, 0, "{}", ByteOrder.LITTLE_ENDIAN, 4)))
                .hasMessageContaining("expected format version 1.0, 2.0 or 3.0, found 4.0");
        assertThatThrownBy(() -> Npy.read(npy(1, 0, "{'descr': '<f4', 'shape': (1,)}", ByteOrder.LITTLE_ENDIAN, 4, 1)))
                .hasMessageContaining("header must have exactly the keys 'descr', 'fortran_order' and 'shape'");
        assertThatThrownBy(() -> Npy.read(npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2)}",
                ByteOrder.LITTLE_ENDIAN, 4, 1)))
                .hasMessageContaining("malformed header: expected a non-negative integer dimension, found '-'");
        assertThatThrownBy(() -> Npy.read(npy(1, 0, "{'descr': '<f4', 'fortran_order': Nope, 'shape': (1,)}",
                ByteOrder.LITTLE_ENDIAN, 4, 1))).hasMessageContaining("expected a string, True, False or a tuple");
    }

    @Test
    void readErrorsFromFilesNameTheFile(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("bad.npy"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("bad.npy: expected the .npy magic");
    }

    /** A hand-built .npy file: magic, version, header length, header padded to 64, then the values. */
    private static byte[] npy(int major, int minor, String dict, ByteOrder order, int size, double... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, (byte) minor});
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lengthBytes + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        int headerLength = total - 8 - lengthBytes;
        ByteBuffer len = ByteBuffer.allocate(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (lengthBytes == 2) {
            len.putShort((short) headerLength);
        } else {
            len.putInt(headerLength);
        }
        out.writeBytes(len.array());
        out.writeBytes((dict + " ".repeat(headerLength - dict.length() - 1) + "\n").getBytes(StandardCharsets.UTF_8));
        ByteBuffer data = ByteBuffer.allocate(values.length * size).order(order);
        for (double v : values) {
            if (size == 4) {
                data.putFloat((float) v);
            } else {
                data.putDouble(v);
            }
        }
        out.writeBytes(data.array());
        return out.toByteArray();
    }
}
