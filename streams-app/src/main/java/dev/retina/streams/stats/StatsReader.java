package dev.retina.streams.stats;

import java.nio.charset.StandardCharsets;

/**
 * Reads the values {@link StatsWriter} writes, checking every length against the bytes that remain so that
 * corrupt input fails with a {@link StatsFormatException} naming the offset, never with an index error or a huge
 * allocation.
 */
final class StatsReader {

    private final byte[] buf;
    private int pos;

    StatsReader(byte[] buf) {
        this.buf = buf;
    }

    int readByte() {
        need(1, "a byte");
        return buf[pos++] & 0xFF;
    }

    long readVarLong(String what) {
        long v = 0;
        int start = pos;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1, what);
            int b = buf[pos++] & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0) {
                    throw new StatsFormatException("expected a non-negative " + what + " at offset " + start
                        + ", found " + v);
                }
                return v;
            }
        }
        throw new StatsFormatException("expected a var-long " + what + " of at most 10 bytes at offset " + start
            + ", found a longer one");
    }

    /** A var-long that must lie in [0, max], as an int. */
    int readCount(String what, int max) {
        int start = pos;
        long v = readVarLong(what);
        if (v > max) {
            throw new StatsFormatException("expected " + what + " <= " + max + " at offset " + start + ", found " + v);
        }
        return (int) v;
    }

    double readDouble(String what) {
        return Double.longBitsToDouble(readLong(what));
    }

    long readLong(String what) {
        need(8, what);
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (buf[pos++] & 0xFF);
        }
        return bits;
    }

    float readFloat(String what) {
        need(4, what);
        int bits = 0;
        for (int i = 0; i < 4; i++) {
            bits = (bits << 8) | (buf[pos++] & 0xFF);
        }
        return Float.intBitsToFloat(bits);
    }

    String readString(String what) {
        int len = readCount(what + " length", Integer.MAX_VALUE);
        need(len, what);
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return buf.length - pos;
    }

    void requireEnd() {
        if (pos != buf.length) {
            throw new StatsFormatException("expected the end of the data at offset " + pos + ", found "
                + (buf.length - pos) + " trailing bytes");
        }
    }

    private void need(int n, String what) {
        if (buf.length - pos < n) {
            throw new StatsFormatException("truncated: expected " + n + " bytes of " + what + " at offset " + pos
                + ", found " + (buf.length - pos));
        }
    }
}
