package dev.retina.streams.errors;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The input record a failure belongs to, as read from Kafka: position, timestamp, headers and the serialized key
 * and value exactly as they arrived (not copies of a re-serialization).
 *
 * @param topic     input topic
 * @param partition input partition
 * @param offset    offset within the partition
 * @param key       serialized key, null when the record had none
 * @param value     serialized value, null for a tombstone (or when the bytes are not available)
 * @param timestamp record timestamp, milliseconds since the epoch
 * @param headers   record headers, never null
 */
public record FailedRecord(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp,
                           Headers headers) {

    public FailedRecord {
        if (topic == null) {
            topic = "";
        }
        if (headers == null) {
            headers = new RecordHeaders();
        }
    }
}
