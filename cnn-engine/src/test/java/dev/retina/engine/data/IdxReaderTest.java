package dev.retina.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class IdxReaderTest {

    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes with the given dims and data (data may be shorter or longer on purpose). */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    static byte[] sequence(int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (i * 7);
        }
        return d;
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void readsPlainImageFile() throws IOException {
        Path f = write("img", idx(new int[] {2, 3, 4}, sequence(24)));
        IdxArray a = IdxReader.readImages(f);
        assertThat(a.dims()).containsExactly(2, 3, 4);
        assertThat(a.data()).isEqualTo(sequence(24));
    }

    @Test
    void readsGzippedFilesRegardlessOfName() throws IOException {
        Path f = write("labels-without-extension", gzip(idx(new int[] {5}, new byte[] {0, 1, 2, 3, 4})));
        IdxArray a = IdxReader.readLabels(f);
        assertThat(a.dims()).containsExactly(5);
        assertThat(a.data()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void rejectsBadMagic() throws IOException {
        byte[] bytes = idx(new int[] {1}, new byte[] {1});
        bytes[0] = 0x12;
        Path f = write("bad", bytes);
        assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("expected IDX magic 0x0000TTRR, found 0x12000801")
                .satisfies(e -> assertThat(((DatasetException) e).reason()).isEqualTo(DatasetException.Reason.BAD_MAGIC));
    }

    @Test
    void rejectsNonByteElementType() throws IOException {
        byte[] bytes = idx(new int[] {1}, new byte[] {1, 2, 3, 4});
        bytes[2] = 0x0D;
        Path f = write("float", bytes);
        assertThatThrownBy(() -> IdxReader.read(f)).hasMessageContaining("expected element type 0x08 (unsigned byte), found 0x0D")
                .satisfies(e -> assertThat(((DatasetException) e).reason())
                        .isEqualTo(DatasetException.Reason.UNSUPPORTED_FORMAT));
    }

    @Test
    void rejectsTruncatedHeaderAndData() throws IOException {
        Path empty = write("empty", new byte[] {0, 0});
        assertThatThrownBy(() -> IdxReader.read(empty)).hasMessageContaining("found only 2 bytes")
                .satisfies(e -> assertThat(((DatasetException) e).reason()).isEqualTo(DatasetException.Reason.TRUNCATED));
        byte[] full = idx(new int[] {2, 3, 4}, sequence(24));
        Path shortHeader = write("short-header", Arrays.copyOf(full, 10));
        assertThatThrownBy(() -> IdxReader.read(shortHeader)).hasMessageContaining("rank 3 (12 size bytes), found only 6");
        Path shortData = write("short-data", gzip(Arrays.copyOf(full, full.length - 5)));
        assertThatThrownBy(() -> IdxReader.read(shortData))
                .hasMessageContaining("announces 24 data bytes, found only 19")
                .satisfies(e -> assertThat(((DatasetException) e).reason()).isEqualTo(DatasetException.Reason.TRUNCATED));
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        Path f = write("long", idx(new int[] {3}, new byte[] {1, 2, 3, 4}));
        assertThatThrownBy(() -> IdxReader.read(f)).hasMessageContaining("announces 3 data bytes, but the file is longer")
                .satisfies(e -> assertThat(((DatasetException) e).reason())
                        .isEqualTo(DatasetException.Reason.TRAILING_DATA));
    }

    @Test
    void rejectsWrongRankForImagesAndLabels() throws IOException {
        Path labels = write("labels", idx(new int[] {4}, sequence(4)));
        Path images = write("images", idx(new int[] {1, 2, 2}, sequence(4)));
        assertThatThrownBy(() -> IdxReader.readImages(labels)).hasMessageContaining("expected an image file of rank 3")
                .hasMessageContaining("found rank 1 [4]");
        assertThatThrownBy(() -> IdxReader.readLabels(images)).hasMessageContaining("found rank 3 [1, 2, 2]");
    }

    @Test
    void rejectsHeadersAnnouncingHugeData() throws IOException {
        Path f = write("huge", idx(new int[] {60000, 28000, 28000}, new byte[0]));
        assertThatThrownBy(() -> IdxReader.read(f))
                .satisfies(e -> assertThat(((DatasetException) e).reason()).isEqualTo(DatasetException.Reason.TOO_LARGE));
    }

    @Test
    void missingFileIsReported() {
        assertThatThrownBy(() -> IdxReader.read(dir.resolve("nope")))
                .hasMessageContaining("IDX file not found")
                .satisfies(e -> assertThat(((DatasetException) e).reason()).isEqualTo(DatasetException.Reason.MISSING_FILE));
    }

    @Test
    void datasetPairsImagesWithLabels() throws IOException {
        Path images = write("train-images-idx3-ubyte.gz", gzip(idx(new int[] {3, 2, 2}, sequence(12))));
        Path labels = write("train-labels-idx1-ubyte", idx(new int[] {3}, new byte[] {9, 0, 4}));
        write("t10k-images-idx3-ubyte", idx(new int[] {1, 2, 2}, sequence(4)));
        write("t10k-labels-idx1-ubyte.gz", gzip(idx(new int[] {1}, new byte[] {2})));
        IdxDataset train = IdxDataset.openDirectory(dir, true);
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.channels()).isEqualTo(1);
        assertThat(train.height()).isEqualTo(2);
        assertThat(train.label(0)).isEqualTo(9);
        assertThat(train.labels()).hasSize(10);
        byte[] px = new byte[4];
        train.pixels(1, px);
        assertThat(px).isEqualTo(Arrays.copyOfRange(sequence(12), 4, 8));
        BufferedImage img = train.image(1);
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(img.getRaster().getSample(1, 0, 0)).isEqualTo(px[1] & 0xFF);
        IdxDataset test = IdxDataset.openDirectory(dir, false);
        assertThat(test.size()).isEqualTo(1);
        assertThat(test.label(0)).isEqualTo(2);
        assertThat(IdxDataset.load(images, labels, List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")).labels())
                .startsWith("a", "b");
    }

    @Test
    void labelsTxtNamesTheClasses() throws IOException {
        write("train-images-idx3-ubyte", idx(new int[] {1, 1, 1}, new byte[] {5}));
        write("train-labels-idx1-ubyte", idx(new int[] {1}, new byte[] {1}));
        write("labels.txt", "cat\ndog\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(IdxDataset.openDirectory(dir, true).labels()).containsExactly("cat", "dog");
    }

    @Test
    void mismatchedCountsAndBadLabelsAreRejected() throws IOException {
        Path images = write("i", idx(new int[] {3, 2, 2}, sequence(12)));
        Path two = write("l2", idx(new int[] {2}, new byte[] {0, 1}));
        Path bad = write("l3", idx(new int[] {3}, new byte[] {0, 1, 12}));
        List<String> digits = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThatThrownBy(() -> IdxDataset.load(images, two, digits))
                .hasMessageContaining("holds 3 images but")
                .hasMessageContaining("holds 2 labels")
                .satisfies(e -> assertThat(((DatasetException) e).reason()).isEqualTo(DatasetException.Reason.MISMATCH));
        assertThatThrownBy(() -> IdxDataset.load(images, bad, digits))
                .hasMessageContaining("label 12 at index 2 is outside [0, 10)");
    }

    @Test
    void missingSplitFilesAreNamed() {
        assertThatThrownBy(() -> IdxDataset.openDirectory(dir, true))
                .hasMessageContaining("expected train-images-idx3-ubyte or train-images-idx3-ubyte.gz");
        assertThatThrownBy(() -> IdxDataset.openDirectory(dir.resolve("absent"), true))
                .hasMessageContaining("IDX dataset directory not found");
    }
}
