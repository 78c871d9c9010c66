package dev.retina.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.image.ImageDecoder;
import dev.retina.engine.model.ImageClassifier;
import dev.retina.engine.model.ModelPackage;
import dev.retina.schemas.avro.ClassCount;
import dev.retina.schemas.avro.ClassRecall;
import dev.retina.schemas.avro.ClassificationResult;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.avro.Prediction;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.model.FixedModel;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics through the whole application topology (decode, classify with the real engine, observation,
 * repartition, windows, emission) in a TopologyTestDriver: images with a chosen class mix, sizes and two-tone
 * contrast give exactly the expected counts and accuracy; means and variances match a direct computation from the
 * same images and results to 1e-6; percentiles are within the histograms' stated error.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FeatureStatsPipelineTest {

    private static final Duration WINDOW = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(10);
    /** Window 0 starts here (a multiple of the window size); the fixture's clock is ten minutes later. */
    private static final Instant W0 = Instant.ofEpochMilli(
        Math.floorDiv(TopologyFixture.NOW.minus(Duration.ofMinutes(10)).toEpochMilli(), WINDOW.toMillis())
            * WINDOW.toMillis());

    private static EmbeddedSchemaRegistry registry;
    private static Engine engine;
    private static FixedModel colors;
    private static Path colorsDir;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void start(@TempDir Path repo) {
        registry = EmbeddedSchemaRegistry.inMemory(0);
        engine = Engine.create(1);
        colorsDir = ColorModelPackage.write(repo, "3", 4);
        colors = FixedModel.load(colorsDir, engine);
    }

    @AfterAll
    static void stop() {
        if (colors != null) {
            colors.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** One test image: two vertical halves of colours {@code left} and {@code right}, and its ground truth. */
    private record Sample(int width, int height, int left, int right, String label) {

        double luma(int rgb) {
            return (0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF)) / 255.0;
        }

        double brightness() {
            return (luma(left) + luma(right)) / 2;
        }

        /** Population standard deviation of the luma: the halves are equal, so half the luma difference. */
        double contrast() {
            return Math.abs(luma(left) - luma(right)) / 2;
        }

        byte[] png() {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    image.setRGB(x, y, x < width / 2 ? left : right);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(image, "png", out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return out.toByteArray();
        }
    }

    private TopologyFixture fixture(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put(AppConfig.TOP_K, "3"); // every class, so the results carry the whole distribution
        settings.put(AppConfig.STATS_WINDOW_MS, Long.toString(WINDOW.toMillis()));
        settings.put(AppConfig.STATS_GRACE_MS, Long.toString(GRACE.toMillis()));
        settings.putAll(extra);
        return new TopologyFixture(registry.url(), stateDir, settings, colors);
    }

    private static void pipe(TopologyFixture f, String id, Sample s, Instant at) {
        byte[] value = f.serialize(TopologyFixture.image(id, s.png(), s.label()));
        f.pipe(id.getBytes(StandardCharsets.UTF_8), value, at);
    }

    @Test
    void knownImagesGiveKnownStatistics() {
        List<Sample> samples = new ArrayList<>();
        // Six red-dominant images, one of them labelled green (a wrong prediction), in various sizes and contrasts.
        samples.add(new Sample(8, 8, 0xE01010, 0xE01010, "red"));
        samples.add(new Sample(10, 6, 0xF02020, 0xA01010, "red"));
        samples.add(new Sample(12, 4, 0xC00000, 0xFF3030, "red"));
        samples.add(new Sample(6, 6, 0xD01818, 0x901010, "red"));
        samples.add(new Sample(16, 10, 0xB02020, 0xE04040, "red"));
        samples.add(new Sample(4, 4, 0xFF0000, 0x800000, "green"));
        // Three green ones, one blue one without a label.
        samples.add(new Sample(8, 12, 0x10C020, 0x10C020, "green"));
        samples.add(new Sample(20, 8, 0x20E040, 0x108010, "green"));
        samples.add(new Sample(6, 10, 0x30A030, 0x10F010, "green"));
        samples.add(new Sample(10, 10, 0x1020F0, 0x2040C0, null));

        try (TopologyFixture f = fixture(Map.of())) {
            long[] eventOffsets = new long[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                eventOffsets[i] = 1_000L + 5_000L * i + 7 * i * i; // spread over window 0, all distinct
                pipe(f, "img-" + i, samples.get(i), W0.plusMillis(eventOffsets[i]));
            }
            assertThat(f.stats()).as("window 0 is still open").isEmpty();
            List<TestRecord<byte[], ClassificationResult>> results = f.results();
            assertThat(results).hasSize(samples.size());

            // Stream time reaches end + grace: window 0 closes and is emitted, once.
            pipe(f, "closer", samples.get(0), W0.plus(WINDOW).plus(GRACE));
            List<TestRecord<String, FeatureStats>> emitted = f.stats();
            assertThat(emitted).hasSize(1);
            assertThat(emitted.get(0).key()).isEqualTo("colors:3@" + W0);
            FeatureStats s = emitted.get(0).value();

            assertThat(s.getWindowStart()).isEqualTo(W0);
            assertThat(s.getWindowEnd()).isEqualTo(W0.plus(WINDOW));
            assertThat(s.getModelName()).isEqualTo("colors");
            assertThat(s.getModelVersion()).isEqualTo("3");
            assertThat(s.getSource()).isNull();
            assertThat(s.getCount()).isEqualTo(10);
            assertThat(s.getLateCount()).isZero();
            assertThat(s.getClassCounts()).extracting(ClassCount::getLabel, ClassCount::getCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("red", 6L),
                    org.assertj.core.groups.Tuple.tuple("green", 3L), org.assertj.core.groups.Tuple.tuple("blue", 1L));
            // Accuracy: nine labelled, eight right; green's recall suffers from the red image labelled green.
            assertThat(s.getAccuracy().getLabelledCount()).isEqualTo(9);
            assertThat(s.getAccuracy().getCorrect()).isEqualTo(8);
            assertThat(s.getAccuracy().getAccuracy()).isEqualTo(8.0 / 9.0);
            assertThat(s.getAccuracy().getPerClassRecall())
                .extracting(ClassRecall::getLabel, ClassRecall::getLabelled, ClassRecall::getCorrect)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("red", 5L, 5L),
                    org.assertj.core.groups.Tuple.tuple("green", 4L, 3L));

            // Direct computation from the images and from the results the same records produced.
            double[] top1 = new double[samples.size()];
            double[] entropy = new double[samples.size()];
            double[] endToEnd = new double[samples.size()];
            double[][] embedding = new double[samples.size()][];
            for (int i = 0; i < samples.size(); i++) {
                ClassificationResult r = results.get(i).value();
                top1[i] = r.getTopK().get(0).getScore();
                for (Prediction p : r.getTopK()) {
                    entropy[i] -= p.getScore() > 0 ? p.getScore() * Math.log(p.getScore()) : 0;
                }
                endToEnd[i] = r.getTimings().getEndToEndMillis();
                assertThat(endToEnd[i]).isEqualTo(
                    (double) (TopologyFixture.NOW.toEpochMilli() - W0.plusMillis(eventOffsets[i]).toEpochMilli()));
                embedding[i] = engineEmbedding(samples.get(i));
            }
            assertThat(s.getConfidence().getMean()).isCloseTo(mean(top1), within(1e-6));
            assertThat(s.getConfidence().getP50()).isCloseTo(nearestRank(top1, 0.5), within(0.005));
            assertThat(s.getConfidence().getP95()).isCloseTo(nearestRank(top1, 0.95), within(0.005));
            assertThat(s.getConfidence().getLowConfidenceCount())
                .isEqualTo(Arrays.stream(top1).filter(v -> v < 0.5).count());
            assertThat(s.getEntropy().getMean()).isCloseTo(mean(entropy), within(1e-6));
            assertThat(s.getEntropy().getVariance()).isCloseTo(variance(entropy), within(1e-6));
            assertThat(s.getEntropy().getMax()).isCloseTo(Arrays.stream(entropy).max().orElseThrow(), within(1e-9));

            double[] widths = samples.stream().mapToDouble(Sample::width).toArray();
            double[] heights = samples.stream().mapToDouble(Sample::height).toArray();
            double[] brightness = samples.stream().mapToDouble(Sample::brightness).toArray();
            double[] contrast = samples.stream().mapToDouble(Sample::contrast).toArray();
            assertThat(s.getInput().getWidthMean()).isCloseTo(mean(widths), within(1e-6));
            assertThat(s.getInput().getWidthMin()).isEqualTo(4);
            assertThat(s.getInput().getWidthMax()).isEqualTo(20);
            assertThat(s.getInput().getHeightMean()).isCloseTo(mean(heights), within(1e-6));
            assertThat(s.getInput().getBrightnessMean()).isCloseTo(mean(brightness), within(1e-6));
            assertThat(s.getInput().getBrightnessVariance()).isCloseTo(variance(brightness), within(1e-6));
            assertThat(s.getInput().getContrastMean()).isCloseTo(mean(contrast), within(1e-6));
            assertThat(s.getInput().getContrastVariance()).isCloseTo(variance(contrast), within(1e-6));
            assertThat(variance(contrast)).as("the samples differ in contrast").isPositive();

            assertThat(s.getEmbedding().getDimension()).isEqualTo(3);
            assertThat(s.getEmbedding().getCount()).isEqualTo(10);
            double normSum = 0;
            for (double[] e : embedding) {
                normSum += Math.sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
            }
            for (int d = 0; d < 3; d++) {
                final int dim = d;
                double[] column = Arrays.stream(embedding).mapToDouble(e -> e[dim]).toArray();
                assertThat(s.getEmbedding().getMean().get(d)).isCloseTo(mean(column), within(1e-6));
                assertThat(s.getEmbedding().getVariance().get(d)).isCloseTo(variance(column), within(1e-6));
            }
            assertThat(s.getEmbedding().getMeanL2Norm()).isCloseTo(normSum / embedding.length, within(1e-6));

            // Latency percentiles: log buckets with at most 1% relative error.
            assertThat(s.getLatency().getP50Millis())
                .isCloseTo(nearestRank(endToEnd, 0.5), within(0.01 * nearestRank(endToEnd, 0.5)));
            assertThat(s.getLatency().getP99Millis())
                .isCloseTo(nearestRank(endToEnd, 0.99), within(0.01 * nearestRank(endToEnd, 0.99)));
            assertThat(s.getDrift()).as("the first window of a version only marks it as seen").isNull();

            // A record for window 0 after it closed is not counted there, but reported as late with the next window.
            pipe(f, "late", samples.get(6), W0.plusSeconds(30));
            pipe(f, "closer-2", samples.get(0), W0.plus(WINDOW.multipliedBy(2)).plus(GRACE));
            emitted = f.stats();
            assertThat(emitted).hasSize(1);
            assertThat(emitted.get(0).value().getWindowStart()).isEqualTo(W0.plus(WINDOW));
            assertThat(emitted.get(0).value().getCount()).isEqualTo(1);
            assertThat(emitted.get(0).value().getLateCount()).isEqualTo(1);
            assertThat(f.results()).as("the late image was still classified").hasSize(3);
        }
    }

    @Test
    void classMixSwitchRaisesDriftInTheFirstWindowAfterItAndNotBefore() {
        Random random = new Random(42);
        try (TopologyFixture f = fixture(Map.of(AppConfig.STATS_REFERENCE_MIN_COUNT, "10"))) {
            int perWindow = 20;
            for (int w = 0; w < 6; w++) {
                boolean switched = w >= 4;
                for (int i = 0; i < perWindow; i++) {
                    // Before the switch 80% red-dominant, after it 80% blue-dominant; colours jitter per image.
                    boolean majority = i % 5 != 0;
                    int base = switched == majority ? 0x1020C0 : 0xC02010;
                    int jitter = random.nextInt(0x20) * 0x010101;
                    Sample sample = new Sample(4, 4, base + jitter, base + jitter, null);
                    pipe(f, "w" + w + "-" + i, sample, W0.plus(WINDOW.multipliedBy(w)).plusMillis(500 + 1000L * i));
                }
            }
            pipe(f, "closer", new Sample(4, 4, 0xC02010, 0xC02010, null), W0.plus(WINDOW.multipliedBy(10)));
            List<FeatureStats> out = f.stats().stream().map(TestRecord::value).toList();
            assertThat(out).hasSize(6).extracting(FeatureStats::getCount).containsOnly((long) perWindow);
            assertThat(out.get(0).getDrift()).isNull();
            for (int w = 1; w < 6; w++) {
                assertThat(out.get(w).getDrift().getDrift())
                    .as("window %d: %s", w, out.get(w).getDrift()).isEqualTo(w >= 4);
            }
            assertThat(out.get(4).getDrift().getPsiClass()).isGreaterThan(0.2);
            assertThat(out.get(4).getDrift().getEmbeddingStandardisedShift()).isGreaterThan(0.5);
            assertThat(out.get(3).getDrift().getEmbeddingStandardisedShift()).isLessThan(0.5);
        }
    }

    /**
     * The embedding of one image computed outside the stream: the engine's own classifier on the decoded image (for
     * the colour model, the flattened pooled input, each channel's mean in [0, 1]).
     */
    private static double[] engineEmbedding(Sample s) {
        ModelPackage pkg = ModelPackage.load(colorsDir);
        try (Session session = engine.newSession(pkg.model())) {
            float[] e = new ImageClassifier(pkg, session)
                .score(ImageDecoder.builder().build().decode(s.png()), 1).embedding();
            assertThat(e).hasSize(3);
            return new double[] {e[0], e[1], e[2]};
        }
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).sum() / v.length;
    }

    private static double variance(double[] v) {
        double m = mean(v);
        return Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length;
    }

    /** The nearest-rank quantile: the smallest value with at least {@code q * n} values at or below it. */
    private static double nearestRank(double[] v, double q) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
