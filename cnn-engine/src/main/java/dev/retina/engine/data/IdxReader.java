package dev.retina.engine.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte} and friends),
 * plain or gzip-compressed (detected from the gzip magic bytes, not the file name).
 *
 * <p>Format: bytes 0-1 are zero, byte 2 is the element type ({@code 0x08} = unsigned byte, the only type
 * MNIST uses and the only one accepted here), byte 3 the rank; then one big-endian 32-bit size per
 * dimension, then the elements in row-major order. The reader checks the magic, the rank, the sizes
 * against {@link #MAX_ELEMENTS}, and that the file holds exactly the announced number of bytes.
 */
public final class IdxReader {

    /** Upper bound on the element count of one file (Fashion-MNIST's training images: 47 million). */
    public static final long MAX_ELEMENTS = 1L << 30;

    private static final int TYPE_UNSIGNED_BYTE = 0x08;
    private static final int MAX_RANK = 4;

    private IdxReader() {
    }

    /** Reads any unsigned-byte IDX file of rank 1 to 4. */
    public static IdxArray read(Path file) {
        try (InputStream raw = open(file)) {
            return read(raw, file.toString());
        } catch (NoSuchFileException e) {
            throw new DatasetException(DatasetException.Reason.MISSING_FILE, "IDX file not found: " + file, e);
        } catch (IOException e) {
            throw new DatasetException(DatasetException.Reason.IO, "cannot read IDX file " + file + ": " + e, e);
        }
    }

    /**
     * Reads an image file: rank 3, {@code [count, rows, cols]}. Returns the array unchanged; the
     * images are {@code rows x cols} grayscale, one byte per pixel, row-major.
     */
    public static IdxArray readImages(Path file) {
        IdxArray a = read(file);
        if (a.rank() != 3) {
            throw new DatasetException(DatasetException.Reason.UNSUPPORTED_FORMAT,
                    file + ": expected an image file of rank 3 [count, rows, cols], found rank " + a.rank()
                            + " " + Arrays.toString(a.dims()));
        }
        return a;
    }

    /** Reads a label file: rank 1, {@code [count]}. */
    public static IdxArray readLabels(Path file) {
        IdxArray a = read(file);
        if (a.rank() != 1) {
            throw new DatasetException(DatasetException.Reason.UNSUPPORTED_FORMAT,
                    file + ": expected a label file of rank 1 [count], found rank " + a.rank() + " "
                            + Arrays.toString(a.dims()));
        }
        return a;
    }

    /** Reads IDX content from a stream (already decompressed); {@code source} names it in errors. */
    static IdxArray read(InputStream in, String source) throws IOException {
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            throw new DatasetException(DatasetException.Reason.TRUNCATED,
                    source + ": expected a 4-byte IDX magic number, found only " + header.length + " bytes");
        }
        if (header[0] != 0 || header[1] != 0) {
            throw new DatasetException(DatasetException.Reason.BAD_MAGIC, String.format(
                    "%s: expected IDX magic 0x0000TTRR, found 0x%02X%02X%02X%02X", source,
                    header[0] & 0xFF, header[1] & 0xFF, header[2] & 0xFF, header[3] & 0xFF));
        }
        int type = header[2] & 0xFF;
        int rank = header[3] & 0xFF;
        if (type != TYPE_UNSIGNED_BYTE) {
            throw new DatasetException(DatasetException.Reason.UNSUPPORTED_FORMAT, String.format(
                    "%s: expected element type 0x08 (unsigned byte), found 0x%02X", source, type));
        }
        if (rank < 1 || rank > MAX_RANK) {
            throw new DatasetException(DatasetException.Reason.UNSUPPORTED_FORMAT,
                    source + ": expected rank 1 to " + MAX_RANK + ", found " + rank);
        }
        byte[] dimBytes = in.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new DatasetException(DatasetException.Reason.TRUNCATED, source + ": header announces rank "
                    + rank + " (" + 4 * rank + " size bytes), found only " + dimBytes.length + " bytes");
        }
        int[] dims = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++) {
            int b = 4 * i;
            long d = ((dimBytes[b] & 0xFFL) << 24) | ((dimBytes[b + 1] & 0xFFL) << 16)
                    | ((dimBytes[b + 2] & 0xFFL) << 8) | (dimBytes[b + 3] & 0xFFL);
            if (d > Integer.MAX_VALUE) {
                throw new DatasetException(DatasetException.Reason.TOO_LARGE,
                        source + ": dimension " + i + " is " + d + ", larger than " + Integer.MAX_VALUE);
            }
            dims[i] = (int) d;
            elements *= d;
            if (elements > MAX_ELEMENTS) {
                throw new DatasetException(DatasetException.Reason.TOO_LARGE, source + ": dims "
                        + Arrays.toString(Arrays.copyOf(dims, i + 1)) + "... exceed " + MAX_ELEMENTS + " elements");
            }
        }
        byte[] data = in.readNBytes((int) elements);
        if (data.length < elements) {
            throw new DatasetException(DatasetException.Reason.TRUNCATED, source + ": header " + Arrays.toString(dims)
                    + " announces " + elements + " data bytes, found only " + data.length);
        }
        if (in.read() != -1) {
            throw new DatasetException(DatasetException.Reason.TRAILING_DATA, source + ": header "
                    + Arrays.toString(dims) + " announces " + elements + " data bytes, but the file is longer");
        }
        return new IdxArray(dims, data);
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1F && b1 == 0x8B) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }
}
