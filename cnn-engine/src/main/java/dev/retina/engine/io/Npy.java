package dev.retina.engine.io;

import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) as {@link Tensor}s.
 *
 * <h2>File layout</h2>
 * <pre>
 *   "\x93NUMPY" major minor   6 + 2 bytes
 *   header length              uint16 LE (v1.0) or uint32 LE (v2.0, v3.0)
 *   header                     a Python dict literal, ASCII (v1, v2) or UTF-8 (v3), padded with spaces and
 *                              ended by '\n' so the data starts at a multiple of 64 bytes, e.g.
 *                              {'descr': '&lt;f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }
 *   data                       shape.size() elements in C (row-major) order
 * </pre>
 * Reading accepts {@code descr} {@code '<f4'} and {@code '>f4'} (float32) and {@code '<f8'} and {@code '>f8'}
 * (float64, converted to float32) in C order; Fortran order, other dtypes, malformed headers and truncated data
 * are rejected with {@link NpyFormatException}. Bytes after the data are ignored, as NumPy does. Writing always
 * produces little-endian float32 in C order, version 1.0 unless the header needs more than 65535 bytes (then 2.0).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy aligns the data start to 64 bytes. */
    private static final int ALIGNMENT = 64;
    /** Headers larger than this are not NumPy files but attempts to exhaust memory. */
    private static final int MAX_HEADER_BYTES = 1 << 20;

    private Npy() {
    }

    /**
     * Reads a {@code .npy} file.
     *
     * @throws IOException          if the file cannot be read
     * @throws NpyFormatException   if it is not a supported {@code .npy} file
     */
    public static Tensor read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        } catch (NpyFormatException e) {
            throw new NpyFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a {@code .npy} file's bytes. */
    public static Tensor read(byte[] bytes) {
        try {
            return read(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array stream does not fail
        }
    }

    /** Reads a {@code .npy} stream (not closed) up to the end of its data. */
    public static Tensor read(InputStream in) throws IOException {
        byte[] preamble = readUpTo(in, 8);
        if (preamble.length < 8 || !startsWithMagic(preamble)) {
            throw new NpyFormatException("expected the .npy magic \\x93NUMPY, found "
                    + (preamble.length == 0 ? "an empty file" : hex(preamble)));
        }
        int major = preamble[6] & 0xFF;
        int minor = preamble[7] & 0xFF;
        long headerLength;
        if (major == 1) {
            byte[] len = readExactly(in, 2, "the 2-byte header length");
            headerLength = (len[0] & 0xFF) | (len[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] len = readExactly(in, 4, "the 4-byte header length");
            headerLength = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        } else {
            throw new NpyFormatException("expected format version 1.0, 2.0 or 3.0, found " + major + "." + minor);
        }
        if (minor != 0) {
            throw new NpyFormatException("expected format version " + major + ".0, found " + major + "." + minor);
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException("header length " + headerLength + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = readExactly(in, (int) headerLength, "the " + headerLength + "-byte header");
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader h = NpyHeader.parse(header);
        if (h.fortranOrder()) {
            throw new NpyFormatException("fortran_order True is not supported: expected C order (row-major), "
                    + "save with numpy.ascontiguousarray(x)");
        }
        int elementSize;
        ByteOrder order;
        switch (h.descr()) {
            case "<f4": elementSize = 4; order = ByteOrder.LITTLE_ENDIAN; break;
            case ">f4": elementSize = 4; order = ByteOrder.BIG_ENDIAN; break;
            case "<f8": elementSize = 8; order = ByteOrder.LITTLE_ENDIAN; break;
            case ">f8": elementSize = 8; order = ByteOrder.BIG_ENDIAN; break;
            default:
                throw new NpyFormatException("unsupported dtype '" + h.descr()
                        + "': expected '<f4' (float32) or '<f8' (float64), little- or big-endian");
        }
        long count = 1;
        for (int d : h.shape()) {
            count = Math.multiplyExact(count, d);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new NpyFormatException("shape " + java.util.Arrays.toString(h.shape()) + " has " + count
                    + " elements, more than a float array can hold");
        }
        int n = (int) count;
        Shape shape = Shape.of(h.shape());
        // Read in chunks so a header claiming a huge shape over a short file fails before a huge allocation.
        int chunkElements = 1 << 16;
        byte[] chunk = new byte[chunkElements * elementSize];
        List<float[]> parts = new ArrayList<>();
        int done = 0;
        while (done < n) {
            int want = Math.min(chunkElements, n - done);
            int got = in.readNBytes(chunk, 0, want * elementSize);
            if (got < want * elementSize) {
                long have = (long) done * elementSize + got;
                throw new NpyFormatException("truncated data: shape " + shape + " of " + h.descr() + " needs "
                        + (long) n * elementSize + " bytes after the header, found " + have);
            }
            ByteBuffer buf = ByteBuffer.wrap(chunk, 0, want * elementSize).order(order);
            float[] part = new float[want];
            if (elementSize == 4) {
                buf.asFloatBuffer().get(part);
            } else {
                for (int i = 0; i < want; i++) {
                    part[i] = (float) buf.getDouble();
                }
            }
            parts.add(part);
            done += want;
        }
        float[] data = new float[n];
        int pos = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, data, pos, part.length);
            pos += part.length;
        }
        return Tensor.of(shape, data);
    }

    /** Writes {@code tensor} as a version 1.0 (or 2.0 for very long headers) little-endian float32 file. */
    public static void write(Tensor tensor, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(tensor, out);
        }
    }

    /** The {@code .npy} bytes of {@code tensor}. */
    public static byte[] toBytes(Tensor tensor) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(128 + tensor.data().length * 4);
        try {
            write(tensor, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array stream does not fail
        }
        return out.toByteArray();
    }

    /** Writes {@code tensor} to a stream (not closed). */
    public static void write(Tensor tensor, OutputStream out) throws IOException {
        out.write(header(tensor.shape()));
        float[] data = tensor.data();
        ByteBuffer buf = ByteBuffer.allocate(4 * 8192).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i += 8192) {
            int n = Math.min(8192, data.length - i);
            buf.clear();
            buf.asFloatBuffer().put(data, i, n);
            out.write(buf.array(), 0, n * 4);
        }
        out.flush();
    }

    /** The magic, version, length and padded header for a float32 C-order array of {@code shape}. */
    static byte[] header(Shape shape) {
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.rank(); i++) {
            if (i > 0) {
                dims.append(", ");
            }
            dims.append(shape.dim(i));
        }
        if (shape.rank() == 1) {
            dims.append(','); // Python's one-element tuple
        }
        dims.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int total = alignedLength(prefix + dict.length() + 1);
        if (total - prefix > 0xFFFF) {
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            total = alignedLength(prefix + dict.length() + 1);
        }
        int headerLength = total - prefix;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static int alignedLength(int length) {
        return (length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static boolean startsWithMagic(byte[] b) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        return in.readNBytes(n);
    }

    private static byte[] readExactly(InputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new NpyFormatException("truncated file: expected " + what + ", found only " + b.length
                    + " byte(s)");
        }
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02X", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
