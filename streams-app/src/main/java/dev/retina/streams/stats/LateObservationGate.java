package dev.retina.streams.stats;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands just before the windowed aggregation and takes out the records it would drop: a record is late when its
 * tumbling window {@code [start, start + size)} ended at or before {@code streamTime - grace}, where stream time is the
 * largest record timestamp this processor has seen in its task. That is exactly the rule of Kafka Streams' window
 * aggregate processor, which sees the same records in the same order (a late record never raises the maximum), so the
 * aggregate itself never drops one silently. Late records are counted per model key in a changelogged store and
 * logged (the first, tenth, hundredth, ... per key since start); on-time records pass unchanged.
 */
final class LateObservationGate implements FixedKeyProcessor<String, Observation, Observation> {

    private static final Logger LOG = LoggerFactory.getLogger(LateObservationGate.class);

    private final long sizeMs;
    private final long graceMs;
    private final String storeName;
    private FixedKeyProcessorContext<String, Observation> context;
    private KeyValueStore<String, Long> late;
    private long observedStreamTime = Long.MIN_VALUE;

    LateObservationGate(long sizeMs, long graceMs, String storeName) {
        this.sizeMs = sizeMs;
        this.graceMs = graceMs;
        this.storeName = storeName;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Observation> context) {
        this.context = context;
        this.late = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, Observation> record) {
        long ts = record.timestamp();
        observedStreamTime = Math.max(observedStreamTime, ts);
        long windowEnd = Math.floorDiv(ts, sizeMs) * sizeMs + sizeMs;
        if (windowEnd > observedStreamTime - graceMs) {
            context.forward(record);
            return;
        }
        Long before = late.get(record.key());
        long total = (before == null ? 0 : before) + 1;
        late.put(record.key(), total);
        if (isPowerOfTen(total)) {
            LOG.warn("late observation for {} at {} (window ended {}, stream time {}, grace {} ms); {} late so far",
                record.key(), ts, windowEnd, observedStreamTime, graceMs, total);
        }
    }

    private static boolean isPowerOfTen(long n) {
        for (long p = 1; p > 0 && p <= n; p *= 10) {
            if (p == n) {
                return true;
            }
        }
        return false;
    }
}
