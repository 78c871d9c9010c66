package dev.retina.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.retina.schemas.registry.CompatibilityLevel;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Every released schema version under {@code released/<Name>/v<N>.avsc} with its sample {@code v<N>.avro-binary}
 * must stay readable by the current generated class, and the current schema must be BACKWARD_TRANSITIVE-compatible
 * with all of them. Data-driven: releasing v2 is adding two files (see {@link ReleasedSchemaFixtureGenerator}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReleasedSchemaCompatibilityTest {

    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");
    private static final List<String> CONTRACTS =
        List.of("ImageRecord", "ClassificationResult", "FeatureStats", "DeadLetter", "ModelRelease");

    private record Released(String name, int version, Schema writer, byte[] sample) {
    }

    @BeforeAll
    static void trust() {
        AvroTrust.ensureTrusted();
    }

    @Test
    void everyContractHasAReleasedFirstVersion() throws IOException {
        for (String name : CONTRACTS) {
            assertThat(releasedRoot().resolve(name).resolve("v1.avsc")).as("released v1 schema of " + name)
                .isRegularFile();
            assertThat(releasedRoot().resolve(name).resolve("v1.avro-binary")).as("released v1 sample of " + name)
                .isRegularFile();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyReleasedSampleDecodesWithTheCurrentClass() throws IOException {
        return releasedVersions().stream().map(r -> DynamicTest.dynamicTest(r.name() + " v" + r.version(),
            () -> checkDecodes(r)));
    }

    @TestFactory
    Stream<DynamicTest> currentSchemaIsBackwardTransitiveWithAllReleases() throws IOException {
        List<Released> all = releasedVersions();
        return all.stream().map(Released::name).distinct().map(name -> DynamicTest.dynamicTest(name, () -> {
            List<Schema> writers = new ArrayList<>();
            all.stream().filter(r -> r.name().equals(name)).forEach(r -> writers.add(r.writer()));
            assertThat(writers).isNotEmpty();
            assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.check(currentSchema(name), writers))
                .as("incompatibilities of the current %s schema with its released versions", name)
                .isEmpty();
        }));
    }

    private static void checkDecodes(Released released) throws IOException {
        Class<? extends SpecificRecord> type = contractClass(released.name());
        SpecificData model = SpecificData.getForClass(type);
        Schema current = model.getSchema(type);

        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(released.sample(), null);
        SpecificRecord decoded = new SpecificDatumReader<SpecificRecord>(released.writer(), current, model)
            .read(null, decoder);
        assertThat(decoded).isInstanceOf(type);
        assertThat(decoder.isEnd()).as("whole sample consumed").isTrue();

        // Fields whose schema did not change must carry the same values after resolution.
        GenericRecord asWritten = new GenericDatumReader<GenericRecord>(released.writer())
            .read(null, DecoderFactory.get().binaryDecoder(released.sample(), null));
        GenericRecord asResolved = new GenericDatumReader<GenericRecord>(released.writer(), current)
            .read(null, DecoderFactory.get().binaryDecoder(released.sample(), null));
        int compared = 0;
        for (Schema.Field field : released.writer().getFields()) {
            Schema.Field now = current.getField(field.name());
            if (now != null && now.schema().equals(field.schema())) {
                assertThat(asResolved.get(field.name())).as(released.name() + "." + field.name())
                    .isEqualTo(asWritten.get(field.name()));
                compared++;
            }
        }
        assertThat(compared).as("fields compared").isPositive();

        // While the released schema is the current one, the frozen sample is exactly today's sample.
        if (released.writer().toString().equals(current.toString()) && isLatest(released)) {
            assertThat(decoded).as("frozen sample of " + released.name()
                    + " (SampleRecords must not change for a released schema)")
                .isEqualTo(SampleRecords.all().get(released.name()));
        }
    }

    private static boolean isLatest(Released released) {
        return !Files.exists(releasedRoot().resolve(released.name()).resolve("v" + (released.version() + 1)
            + ".avsc"));
    }

    private static Schema currentSchema(String name) {
        Class<? extends SpecificRecord> type = contractClass(name);
        return SpecificData.getForClass(type).getSchema(type);
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends SpecificRecord> contractClass(String name) {
        try {
            return (Class<? extends SpecificRecord>) Class.forName(AvroTrust.GENERATED_PACKAGE + "." + name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("released/" + name + " has no generated class " + AvroTrust.GENERATED_PACKAGE
                + "." + name, e);
        }
    }

    private static List<Released> releasedVersions() throws IOException {
        List<Released> all = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(releasedRoot())) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.sorted().toList()) {
                        Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
                        if (!m.matches()) {
                            continue;
                        }
                        int version = Integer.parseInt(m.group(1));
                        Path sample = dir.resolve("v" + version + ".avro-binary");
                        assertThat(sample).as("sample next to " + file).isRegularFile();
                        all.add(new Released(dir.getFileName().toString(), version,
                            new Schema.Parser().parse(file.toFile()), Files.readAllBytes(sample)));
                    }
                }
            }
        }
        assertThat(all).as("released fixtures").isNotEmpty();
        return all;
    }

    private static Path releasedRoot() {
        URL url = ReleasedSchemaCompatibilityTest.class.getResource("/released");
        assertThat(url).as("test resource folder 'released'").isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
