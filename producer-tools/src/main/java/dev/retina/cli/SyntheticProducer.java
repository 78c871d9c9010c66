package dev.retina.cli;

import dev.retina.schemas.avro.ImageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Sends {@link SyntheticImages} to a topic, with malformed records ({@link MalformedKind}) mixed in, at an optional
 * rate. The records are produced as raw bytes: valid images are framed by the given ImageRecord serializer (so
 * the schema is registered as usual), malformed ones bypass it where their kind requires.
 *
 * <p>The plan is fixed by the seed before anything is sent: {@code bad} positions among the {@code count + bad}
 * records are chosen at random, and the {@code j}-th bad record is of kind {@code j mod 11} in declaration order,
 * so any {@code bad >= 11} covers every kind. Valid records are keyed by image id, bad ones by
 * {@code bad-<kind>-<j>} (lower case), which is also their image id where they carry one.
 *
 * <p>Not thread-safe; {@link #run} is called once. The producer stays owned by the caller.
 */
public final class SyntheticProducer {

    /**
     * One planned record.
     *
     * @param position index in send order
     * @param key      record key
     * @param imageId  image id (of the ImageRecord, or the one a malformed record would have had)
     * @param label    ground-truth label, null for malformed records
     * @param index    image index in the synthetic data set, or the bad record's number {@code j}
     * @param kind     the malformed kind, null for a valid image
     */
    public record Item(int position, String key, String imageId, String label, int index, MalformedKind kind) {
        public boolean valid() {
            return kind == null;
        }
    }

    /** Totals of a run: records acknowledged by the broker and records that could not be sent. */
    public record Summary(int sent, int failed, int valid, int bad, long bytes, Duration elapsed) {
        /** Records per second over the whole run. */
        public double recordsPerSecond() {
            double seconds = elapsed.toNanos() / 1e9;
            return seconds <= 0 ? 0 : (sent + failed) / seconds;
        }
    }

    /** Told about every record; {@link #acknowledged} and {@link #failed} run on the producer's I/O thread. */
    public interface Listener {
        default void acknowledged(Item item, RecordMetadata metadata) {
        }

        default void failed(Item item, Exception error) {
        }

        /** Called on the sending thread after each record was handed to the producer. */
        default void progress(int handedOver, int total, Duration elapsed) {
        }
    }

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Serializer<ImageRecord> serializer;
    private final SyntheticImages images;
    private final double rate;
    private final List<Item> plan;
    private final long seed;

    /**
     * @param producer   a producer of raw values (idempotent, acks=all is the caller's choice)
     * @param topic      the input topic
     * @param serializer the ImageRecord value serializer (Confluent wire format)
     * @param images     the valid images
     * @param bad        number of malformed records to mix in, {@code >= 0}
     * @param rate       records per second, or {@code <= 0} for as fast as the producer takes them
     */
    public SyntheticProducer(Producer<String, byte[]> producer, String topic, Serializer<ImageRecord> serializer,
                             SyntheticImages images, int bad, double rate) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.images = Objects.requireNonNull(images, "images");
        if (bad < 0) {
            throw new IllegalArgumentException("expected a number of malformed records >= 0, found " + bad);
        }
        if (Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("expected a finite rate, found " + rate);
        }
        this.rate = rate;
        this.seed = images.seed();
        this.plan = plan(images, bad, seed);
    }

    /** Every record of the run in send order. */
    public List<Item> plan() {
        return plan;
    }

    static List<Item> plan(SyntheticImages images, int bad, long seed) {
        int total = images.count() + bad;
        boolean[] isBad = new boolean[total];
        for (int i = 0; i < bad; i++) {
            isBad[i] = true;
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = total - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            boolean t = isBad[i];
            isBad[i] = isBad[j];
            isBad[j] = t;
        }
        MalformedKind[] kinds = MalformedKind.values();
        List<Item> items = new ArrayList<>(total);
        int nextImage = 0;
        int nextBad = 0;
        for (int position = 0; position < total; position++) {
            if (isBad[position]) {
                MalformedKind kind = kinds[nextBad % kinds.length];
                String key = "bad-" + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-" + nextBad;
                items.add(new Item(position, key, key, null, nextBad, kind));
                nextBad++;
            } else {
                String id = images.imageId(nextImage);
                items.add(new Item(position, id, id, images.label(nextImage), nextImage, null));
                nextImage++;
            }
        }
        return Collections.unmodifiableList(items);
    }

    /**
     * Sends the whole plan, waits until the producer acknowledged or failed every record, and returns the totals.
     *
     * @throws InterruptedException if interrupted while pacing; records handed over so far are flushed first
     */
    public Summary run(Listener listener) throws InterruptedException {
        Objects.requireNonNull(listener, "listener");
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        long start = System.nanoTime();
        Pacer pacer = new Pacer(rate);
        int validCount = 0;
        int badCount = 0;
        try {
            for (Item item : plan) {
                pacer.awaitTurn(item.position());
                byte[] value = value(item);
                if (item.valid()) {
                    validCount++;
                } else {
                    badCount++;
                }
                long size = value == null ? 0 : value.length;
                try {
                    producer.send(new ProducerRecord<>(topic, item.key(), value), (metadata, error) -> {
                        if (error == null) {
                            sent.incrementAndGet();
                            bytes.addAndGet(size);
                            listener.acknowledged(item, metadata);
                        } else {
                            failed.incrementAndGet();
                            listener.failed(item, error);
                        }
                    });
                } catch (RuntimeException e) {
                    // Refused before it was queued (e.g. over max.request.size); the callback does not run.
                    failed.incrementAndGet();
                    listener.failed(item, e);
                }
                listener.progress(validCount + badCount, plan.size(), Duration.ofNanos(System.nanoTime() - start));
            }
        } finally {
            producer.flush();
        }
        return new Summary(sent.get(), failed.get(), validCount, badCount, bytes.get(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    private byte[] value(Item item) {
        if (item.valid()) {
            return serializer.serialize(topic, images.record(item.index(), Instant.now()));
        }
        SplittableRandom rnd = new SplittableRandom(seed * 31 + item.index());
        return item.kind().value(rnd, item.imageId(), record -> serializer.serialize(topic, record));
    }
}
