package dev.retina.streams.stats;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Appends the primitive values of the statistics format to a growing byte array. Layout of each value:
 * <ul>
 *   <li>var-long: unsigned LEB128 (7 bits per byte, least significant group first, high bit = more follow);
 *       only non-negative values are written this way</li>
 *   <li>long: 8 bytes, two's complement, big-endian</li>
 *   <li>double: the long of its IEEE 754 bits</li>
 *   <li>float: 4 bytes, IEEE 754 bits, big-endian</li>
 *   <li>string: var-long byte length, then UTF-8 bytes</li>
 *   <li>byte: one byte</li>
 * </ul>
 */
final class StatsWriter {

    private byte[] buf;
    private int size;

    StatsWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    void writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    void writeVarLong(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("var-long values must be >= 0, found " + v);
        }
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    void writeDouble(double v) {
        writeLong(Double.doubleToRawLongBits(v));
    }

    void writeLong(long bits) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (bits >>> shift);
        }
    }

    void writeFloat(float v) {
        int bits = Float.floatToRawIntBits(v);
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (bits >>> shift);
        }
    }

    void writeString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarLong(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
