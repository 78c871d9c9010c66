package dev.retina.cli;

import dev.retina.engine.data.ImageFormat;
import dev.retina.engine.data.SyntheticShapes;
import dev.retina.schemas.avro.ImageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Labelled {@link ImageRecord}s rendered by {@link SyntheticShapes}: image {@code i} is sample {@code i} of the
 * seeded data set, encoded as PNG, with its class name as the ground-truth label.
 *
 * <p>The image id is a name-based UUID of {@code (seed, index)}, so the same seed and index always give the same id
 * (a re-run can be matched against an earlier one) and different indexes never collide. The record's metadata holds
 * {@code synthetic.seed} and {@code synthetic.index}.
 */
public final class SyntheticImages {

    /** Content type of every record: the images are PNG files. */
    public static final String CONTENT_TYPE = ImageFormat.PNG.contentType();

    private final SyntheticShapes shapes;
    private final String source;

    /**
     * @param seed   data set seed
     * @param count  number of images, {@code >= 0}
     * @param source value of {@link ImageRecord#getSource()}
     */
    public SyntheticImages(long seed, int count, String source) {
        this.shapes = new SyntheticShapes(seed, count);
        this.source = Objects.requireNonNull(source, "source");
    }

    public int count() {
        return shapes.size();
    }

    public long seed() {
        return shapes.seed();
    }

    /** Class names in label order. */
    public List<String> labels() {
        return shapes.labels();
    }

    /** The image id of image {@code index}. */
    public String imageId(int index) {
        return imageId(shapes.seed(), index);
    }

    /** The image id of image {@code index} of the data set with {@code seed}. */
    public static String imageId(long seed, int index) {
        return UUID.nameUUIDFromBytes(("retina-synthetic:" + seed + ":" + index).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** The ground-truth label of image {@code index}. */
    public String label(int index) {
        return shapes.labels().get(shapes.label(index));
    }

    /** The PNG bytes of image {@code index}. */
    public byte[] png(int index) {
        return ImageFormat.PNG.encode(shapes.image(index));
    }

    /** Image {@code index} as a record captured at {@code capturedAt}. */
    public ImageRecord record(int index, Instant capturedAt) {
        return ImageRecord.newBuilder()
                .setImageId(imageId(index))
                .setSource(source)
                .setCapturedAt(capturedAt)
                .setContentType(CONTENT_TYPE)
                .setData(ByteBuffer.wrap(png(index)))
                .setLabel(label(index))
                .setMetadata(Map.of("synthetic.seed", Long.toString(shapes.seed()),
                        "synthetic.index", Integer.toString(index)))
                .build();
    }
}
