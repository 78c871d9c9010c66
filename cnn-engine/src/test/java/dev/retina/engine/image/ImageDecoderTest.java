package dev.retina.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImageDecoderTest {

    private final ImageDecoder decoder = ImageDecoder.withDefaults();

    // ---------------------------------------------------------------- formats and colour models

    @Test
    void png8BitRgbIsExact() throws IOException {
        int[][] px = {{0xFF0000, 0x00FF00, 0x0000FF}, {0x123456, 0xFFFFFF, 0x000000}};
        DecodedImage img = decoder.decode(TestImages.encode(TestImages.rgb(px), "png"));

        assertThat(img.width()).isEqualTo(3);
        assertThat(img.height()).isEqualTo(2);
        assertThat(img.format()).isEqualTo(ImageFileFormat.PNG);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                assertThat(img.rgb(x, y)).as("pixel (%d, %d)", x, y).isEqualTo(px[y][x]);
            }
        }
    }

    @Test
    void pngAlphaIsCompositedOverWhiteByDefaultAndOverAConfiguredBackground() throws IOException {
        byte[] png = TestImages.encode(TestImages.rgba(1, 1, 0x80FF0000), "png"); // red at alpha 128

        // (c * a + bg * (255 - a) + 127) / 255 per channel
        assertThat(decoder.decode(png).rgb(0, 0)).isEqualTo(0xFF7F7F);
        ImageDecoder onBlack = ImageDecoder.builder().optBackground(0x000000).build();
        assertThat(onBlack.decode(png).rgb(0, 0)).isEqualTo(0x800000);
        assertThat(decoder.decode(png).source()).isEqualTo("png rgb+alpha 8-bit");
    }

    @Test
    void fullyTransparentPixelsTakeTheBackgroundAndOpaqueOnesKeepTheirColour() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00123456);
        img.setRGB(1, 0, 0xFF123456);
        DecodedImage d = ImageDecoder.builder().optBackground(0x0A0B0C).build()
                .decode(TestImages.encode(img, "png"));
        assertThat(d.rgb(0, 0)).isEqualTo(0x0A0B0C);
        assertThat(d.rgb(1, 0)).isEqualTo(0x123456);
    }

    @Test
    void grayPngKeepsStoredValuesInsteadOfJavasLinearGrayConversion() throws IOException {
        DecodedImage img = decoder.decode(TestImages.encode(TestImages.gray8(3, 1, 0, 128, 255), "png"));
        assertThat(img.rgb(0, 0)).isEqualTo(0x000000);
        assertThat(img.rgb(1, 0)).isEqualTo(0x808080); // getRGB would give 0xBCBCBC
        assertThat(img.rgb(2, 0)).isEqualTo(0xFFFFFF);
        assertThat(img.source()).isEqualTo("png gray 8-bit");
    }

    @Test
    void grayAlphaPngIsComposited() throws IOException {
        DecodedImage img = decoder.decode(TestImages.encode(TestImages.grayAlpha(2, 1, 100, 255, 100, 0), "png"));
        assertThat(img.rgb(0, 0)).isEqualTo(0x646464);
        assertThat(img.rgb(1, 0)).isEqualTo(0xFFFFFF);
    }

    @Test
    void sixteenBitGrayPngIsRoundedToEightBits() throws IOException {
        // 128 * 257 = 32896 is exactly 128; 32767 rounds to 127 (32767 * 255 / 65535 = 127.498)
        DecodedImage img = decoder.decode(TestImages.encode(TestImages.gray16(4, 1, 0, 32896, 32767, 65535), "png"));
        assertThat(img.rgb(0, 0)).isEqualTo(0x000000);
        assertThat(img.rgb(1, 0)).isEqualTo(0x808080);
        assertThat(img.rgb(2, 0)).isEqualTo(0x7F7F7F);
        assertThat(img.rgb(3, 0)).isEqualTo(0xFFFFFF);
        assertThat(img.source()).isEqualTo("png gray 16-bit");
    }

    @Test
    void sixteenBitRgbPngIsRoundedToEightBits() throws IOException {
        DecodedImage img = decoder.decode(TestImages.encode(
                TestImages.rgb16(2, 1, 65535, 0, 32896, 257, 514, 771), "png"));
        assertThat(img.rgb(0, 0)).isEqualTo(0xFF0080);
        assertThat(img.rgb(1, 0)).isEqualTo(0x010203);
        assertThat(img.source()).isEqualTo("png rgb 16-bit");
    }

    @Test
    void palettePngUsesThePaletteAndItsTransparency() throws IOException {
        byte[] png = TestImages.encode(TestImages.palette(3, 0xFFFF0000, 0xFF00FF00, 0x000000FF), "png");
        DecodedImage img = decoder.decode(png);
        assertThat(img.rgb(0, 0)).isEqualTo(0xFF0000);
        assertThat(img.rgb(1, 0)).isEqualTo(0x00FF00);
        assertThat(img.rgb(2, 0)).isEqualTo(0xFFFFFF); // fully transparent entry -> white background
        assertThat(img.source()).startsWith("png palette");
    }

    @Test
    void gifDecodesOnlyTheFirstFrame() throws IOException {
        BufferedImage first = TestImages.palette(4, 0xFFFF0000, 0xFF0000FF);
        BufferedImage second = TestImages.palette(4, 0xFF00FF00, 0xFFFFFF00);
        DecodedImage img = decoder.decode(TestImages.gifSequence(List.of(first, second)));

        assertThat(img.format()).isEqualTo(ImageFileFormat.GIF);
        assertThat(img.width()).isEqualTo(4);
        assertThat(img.height()).isEqualTo(1);
        assertThat(new int[] {img.rgb(0, 0), img.rgb(1, 0), img.rgb(2, 0), img.rgb(3, 0)})
                .containsExactly(0xFF0000, 0x0000FF, 0xFF0000, 0x0000FF);
    }

    @Test
    void bmpIsExact() throws IOException {
        int[][] px = {{0xFF0000, 0x00FF00}, {0x0000FF, 0x7F7F7F}, {0x010203, 0xFEDCBA}};
        DecodedImage img = decoder.decode(TestImages.encode(TestImages.rgb(px), "bmp"));
        assertThat(img.format()).isEqualTo(ImageFileFormat.BMP);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 2; x++) {
                assertThat(img.rgb(x, y)).isEqualTo(px[y][x]);
            }
        }
    }

    @Test
    void baselineJpegDecodesCloseToTheOriginal() throws IOException {
        BufferedImage src = TestImages.solid(16, 16, 0xC83214, BufferedImage.TYPE_INT_RGB);
        byte[] jpg = TestImages.jpeg(src, 0.95f, false);
        assertThat(TestImages.isProgressive(jpg)).isFalse();
        DecodedImage img = decoder.decode(jpg);
        assertThat(img.format()).isEqualTo(ImageFileFormat.JPEG);
        assertClose(img.rgb(8, 8), 0xC83214, 6);
    }

    @Test
    void progressiveJpegDecodes() throws IOException {
        BufferedImage src = TestImages.solid(40, 24, 0x2080E0, BufferedImage.TYPE_INT_RGB);
        byte[] jpg = TestImages.jpeg(src, 0.95f, true);
        assertThat(TestImages.isProgressive(jpg)).as("writer produced a SOF2 frame").isTrue();
        DecodedImage img = decoder.decode(jpg);
        assertThat(img.width()).isEqualTo(40);
        assertThat(img.height()).isEqualTo(24);
        assertClose(img.rgb(20, 12), 0x2080E0, 8);
    }

    @Test
    void grayscaleJpegKeepsItsGrayLevel() throws IOException {
        byte[] jpg = TestImages.jpeg(TestImages.gray8(8, 8, fill(64, 128)), 1f, false);
        DecodedImage img = decoder.decode(jpg);
        assertClose(img.rgb(4, 4), 0x808080, 2);
        assertThat(img.source()).startsWith("jpeg gray");
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws IOException {
        // C=0 M=255 Y=255 K=0 is red ink; with a white-paper profile it lands near pure red
        DecodedImage img = decoder.decode(TestImages.cmykJpeg(16, 16, 0, 255, 255, 0));
        int rgb = img.rgb(8, 8);
        assertThat(rgb >>> 16 & 0xFF).as("red of %06X", rgb).isGreaterThan(200);
        assertThat(rgb >>> 8 & 0xFF).as("green of %06X", rgb).isLessThan(80);
        assertThat(rgb & 0xFF).as("blue of %06X", rgb).isLessThan(80);
    }

    @Test
    void ycckJpegIsConvertedToRgb() throws IOException {
        // the same red ink as the CMYK test, stored as YCCK
        DecodedImage img = decoder.decode(TestImages.ycckJpeg(16, 16, 0, 255, 255, 0));
        int rgb = img.rgb(8, 8);
        assertThat(rgb >>> 16 & 0xFF).as("red of %06X", rgb).isGreaterThan(200);
        assertThat(rgb >>> 8 & 0xFF).as("green of %06X", rgb).isLessThan(80);
        assertThat(rgb & 0xFF).as("blue of %06X", rgb).isLessThan(80);
    }

    @Test
    void cmykBlackInkIsDark() throws IOException {
        DecodedImage img = decoder.decode(TestImages.cmykJpeg(16, 16, 0, 0, 0, 255));
        int rgb = img.rgb(8, 8);
        assertThat(Math.max(rgb >>> 16 & 0xFF, Math.max(rgb >>> 8 & 0xFF, rgb & 0xFF)))
                .as("brightest channel of %06X", rgb).isLessThan(80);
    }

    @Test
    void inMemoryImagesAreConvertedTheSameWay() {
        DecodedImage img = decoder.fromBufferedImage(TestImages.gray8(2, 1, 10, 200));
        assertThat(img.rgb(0, 0)).isEqualTo(0x0A0A0A);
        assertThat(img.rgb(1, 0)).isEqualTo(0xC8C8C8);
        assertThat(img.format()).isNull();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void emptyInputIsEmpty() {
        assertReason(() -> decoder.decode(new byte[0]), ImageDecodeException.Reason.EMPTY, "0 bytes");
        assertReason(() -> decoder.decode((byte[]) null), ImageDecodeException.Reason.EMPTY, "0 bytes");
    }

    @Test
    void zeroByteFileIsEmpty(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        assertReason(() -> decoder.decode(file), ImageDecodeException.Reason.EMPTY, "found 0 bytes");
    }

    @Test
    void missingFileIsAnIoErrorNamingThePath(@TempDir Path dir) {
        Path file = dir.resolve("nope.png");
        assertThatThrownBy(() -> decoder.decode(file)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nope.png");
    }

    @Test
    void randomGarbageIsUnsupportedAndTheMessageShowsTheFirstBytes() {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] garbage = new byte[1 + random.nextInt(2000)];
            random.nextBytes(garbage);
            garbage[0] = (byte) 0x00; // no accidental signature
            ImageDecodeException e = catchDecode(garbage);
            assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.UNSUPPORTED_FORMAT);
            assertThat(e.getMessage()).contains("expected a JPEG, PNG, GIF or BMP signature, found first bytes 00");
        }
    }

    @Test
    void otherImageFormatsAreUnsupported() {
        byte[] tiff = {'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0};
        assertReason(() -> decoder.decode(tiff), ImageDecodeException.Reason.UNSUPPORTED_FORMAT, "49 49 2A 00");
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertReason(() -> decoder.decode(webp), ImageDecodeException.Reason.UNSUPPORTED_FORMAT, "52 49 46 46");
    }

    @Test
    void garbageAfterAValidSignatureIsCorrupt() {
        Random random = new Random(7);
        byte[][] signatures = {
            {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
            {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
            {'G', 'I', 'F', '8', '9', 'a'},
            {'B', 'M'},
        };
        for (byte[] sig : signatures) {
            byte[] bytes = new byte[600];
            random.nextBytes(bytes);
            System.arraycopy(sig, 0, bytes, 0, sig.length);
            ImageDecodeException e = catchDecode(bytes);
            assertThat(e.reason()).as("garbage after %s", Arrays.toString(sig))
                    .isIn(ImageDecodeException.Reason.CORRUPT_IMAGE, ImageDecodeException.Reason.IMAGE_TOO_LARGE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "gif", "bmp"})
    void truncatedFilesAreCorrupt(String format) throws IOException {
        BufferedImage noise = TestImages.noise(64, 64, 3);
        byte[] full = format.equals("jpeg") ? TestImages.jpeg(noise, 0.9f, false) : TestImages.encode(noise, format);
        byte[] half = Arrays.copyOf(full, full.length / 2);

        ImageDecodeException e = catchDecode(half);
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(ImageDecodeException.Reason.CORRUPT_IMAGE);
        assertThat(e.getMessage()).contains(format.toUpperCase(java.util.Locale.ROOT));
    }

    @Test
    void truncatedProgressiveJpegIsCorrupt() throws IOException {
        byte[] full = TestImages.jpeg(TestImages.noise(64, 64, 5), 0.9f, true);
        ImageDecodeException e = catchDecode(Arrays.copyOf(full, full.length * 2 / 3));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(ImageDecodeException.Reason.CORRUPT_IMAGE);
    }

    @Test
    void fileCutInsideTheHeaderIsCorrupt() throws IOException {
        byte[] png = TestImages.encode(TestImages.noise(8, 8, 1), "png");
        assertReason(() -> decoder.decode(Arrays.copyOf(png, 20)), ImageDecodeException.Reason.CORRUPT_IMAGE,
                "header");
    }

    // ---------------------------------------------------------------- limits, checked before decoding pixels

    @Test
    void pngClaiming100000x100000IsRejectedWithoutAllocatingPixels() throws IOException {
        assertRejectedCheaply(TestImages.pngClaiming(100_000, 100_000), "100000x100000 = 10000000000 pixels");
    }

    @Test
    void bmpClaiming100000x100000IsRejectedWithoutAllocatingPixels() throws IOException {
        assertRejectedCheaply(TestImages.bmpClaiming(100_000, 100_000), "100000x100000");
    }

    @Test
    void gifClaimingTheLargestPossibleSizeIsRejectedWithoutAllocatingPixels() throws IOException {
        // GIF dimensions are 16-bit: 65535 x 65535 is the largest claim possible
        assertRejectedCheaply(TestImages.gifClaiming(65_535, 65_535), "65535x65535");
    }

    @Test
    void jpegClaimingTheLargestPossibleSizeIsRejectedWithoutAllocatingPixels() throws IOException {
        assertRejectedCheaply(TestImages.jpegClaiming(65_535, 65_535), "65535x65535");
    }

    @Test
    void pixelLimitIsConfigurable() throws IOException {
        byte[] png = TestImages.encode(TestImages.noise(64, 64, 1), "png");
        ImageDecoder small = ImageDecoder.builder().optMaxPixels(4095).build();
        assertReason(() -> small.decode(png), ImageDecodeException.Reason.IMAGE_TOO_LARGE,
                "64x64 = 4096 pixels, the limit is 4095 pixels");
        assertThat(ImageDecoder.builder().optMaxPixels(4096).build().decode(png).width()).isEqualTo(64);
    }

    @Test
    void byteLimitIsCheckedFirst(@TempDir Path dir) throws IOException {
        byte[] png = TestImages.encode(TestImages.noise(32, 32, 1), "png");
        ImageDecoder small = ImageDecoder.builder().optMaxBytes(png.length - 1).build();
        assertReason(() -> small.decode(png), ImageDecodeException.Reason.IMAGE_TOO_LARGE,
                png.length + " bytes, the limit is " + (png.length - 1));
        Path file = Files.write(dir.resolve("big.png"), png);
        assertReason(() -> small.decode(file), ImageDecodeException.Reason.IMAGE_TOO_LARGE, "big.png");
    }

    @Test
    void builderRejectsNonsense() {
        assertThatThrownBy(() -> ImageDecoder.builder().optMaxPixels(0).build())
                .hasMessageContaining("maxPixels must be > 0, found 0");
        assertThatThrownBy(() -> ImageDecoder.builder().optMaxBytes(-1).build())
                .hasMessageContaining("maxBytes must be > 0, found -1");
        assertThatThrownBy(() -> ImageDecoder.builder().optBackground(0x1000000).build())
                .hasMessageContaining("found 0x1000000");
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void oneDecoderServesManyThreads() throws Exception {
        List<byte[]> files = new ArrayList<>();
        List<DecodedImage> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            BufferedImage img = TestImages.noise(24 + i, 16 + i, i);
            byte[] bytes = i % 3 == 0 ? TestImages.encode(img, "png")
                    : i % 3 == 1 ? TestImages.encode(img, "bmp") : TestImages.jpeg(img, 0.9f, i % 2 == 0);
            files.add(bytes);
            expected.add(decoder.decode(bytes));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> {
                    for (int round = 0; round < 10; round++) {
                        for (int i = 0; i < files.size(); i++) {
                            if (!Arrays.equals(decoder.decode(files.get(i)).pixels(), expected.get(i).pixels())) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> f : pool.invokeAll(tasks, 50, TimeUnit.SECONDS)) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- helpers

    private void assertRejectedCheaply(byte[] bytes, String expectedInMessage) {
        catchDecode(bytes); // warm up: class loading and ImageIO's registry allocate on first use
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        ImageDecodeException e = catchDecode(bytes);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;

        assertThat(e.reason()).as(e.getMessage()).isEqualTo(ImageDecodeException.Reason.IMAGE_TOO_LARGE);
        assertThat(e.getMessage()).contains(expectedInMessage).contains("the limit is 40000000 pixels");
        assertThat(allocated).as("bytes allocated while rejecting").isLessThan(2L * 1024 * 1024);
    }

    private ImageDecodeException catchDecode(byte[] bytes) {
        try {
            DecodedImage img = decoder.decode(bytes);
            throw new AssertionError("expected an ImageDecodeException, decoded " + img);
        } catch (ImageDecodeException e) {
            return e;
        }
    }

    private static void assertReason(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
                                     ImageDecodeException.Reason reason, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ImageDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(reason)).hasMessageContaining(messagePart);
    }

    private static void assertClose(int actual, int expected, int tolerance) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int a = actual >>> shift & 0xFF;
            int b = expected >>> shift & 0xFF;
            assertThat(Math.abs(a - b)).as("channel at bit %d of %06X vs %06X", shift, actual, expected)
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    private static int[] fill(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }
}
