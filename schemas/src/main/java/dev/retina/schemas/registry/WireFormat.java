package dev.retina.schemas.registry;

import java.util.Locale;

/**
 * The Confluent wire format of a serialized record:
 *
 * <pre>
 * byte 0      magic byte, always 0x00
 * bytes 1..4  schema id, 32-bit big-endian signed int (the registry's global id of the writer schema)
 * bytes 5..   Avro binary encoding of the record with the writer schema
 * </pre>
 *
 * <p>Example: the Avro string "hello" under schema id 1 is {@code 00 00000001 0a 68656c6c6f}.
 */
public final class WireFormat {

    /** Value of byte 0. */
    public static final byte MAGIC_BYTE = 0;
    /** Magic byte plus schema id. */
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Writes the 5-byte header for a schema id into {@code target} at offset 0. */
    public static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /**
     * Checks the header of framed bytes and returns the schema id.
     *
     * @param data non-null bytes of a record value or key
     * @throws WireFormatException with reason EMPTY, BAD_MAGIC or TOO_SHORT
     */
    public static int readSchemaId(byte[] data) {
        if (data.length == 0) {
            throw new WireFormatException(WireFormatException.Reason.EMPTY, -1,
                "expected at least " + HEADER_SIZE + " bytes (magic byte 0x00 + 4-byte schema id), found 0 bytes");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new WireFormatException(WireFormatException.Reason.BAD_MAGIC, -1,
                String.format(Locale.ROOT, "expected magic byte 0x00, found 0x%02x (%d bytes in total); "
                    + "not written by a schema-registry Avro serializer", data[0] & 0xff, data.length));
        }
        if (data.length < HEADER_SIZE) {
            throw new WireFormatException(WireFormatException.Reason.TOO_SHORT, -1,
                "expected at least " + HEADER_SIZE + " bytes (magic byte 0x00 + 4-byte schema id), found "
                    + data.length + " bytes");
        }
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }
}
