package dev.retina.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaFormatter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Freezes the current contracts as released fixtures: for every record in {@link SampleRecords} whose current
 * schema differs from its latest released one (or that has none), writes
 * {@code released/<Name>/v<N+1>.avsc} (the schema) and {@code released/<Name>/v<N+1>.avro-binary} (the sample in
 * plain Avro binary, no wire-format header). Existing files are never touched: released fixtures are frozen.
 *
 * <p>Run it once when a changed schema is released (from the repository root), then commit the new files:
 * <pre>
 * ./mvnw -pl schemas test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt
 * java -cp "schemas/target/test-classes:schemas/target/classes:$(cat schemas/cp.txt)" \
 *     dev.retina.schemas.ReleasedSchemaFixtureGenerator schemas/src/test/resources/released
 * </pre>
 * {@code ReleasedSchemaCompatibilityTest} then proves every released sample still decodes with the current classes.
 */
public final class ReleasedSchemaFixtureGenerator {

    private ReleasedSchemaFixtureGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources/released");
        for (Map.Entry<String, SpecificRecord> sample : SampleRecords.all().entrySet()) {
            System.out.println(release(root, sample.getKey(), sample.getValue()));
        }
    }

    /** Writes the next version of one record if its schema changed; returns what was done. */
    static String release(Path root, String name, SpecificRecord sample) throws IOException {
        Path dir = root.resolve(name);
        Files.createDirectories(dir);
        Schema current = sample.getSchema();
        int latest = 0;
        while (Files.exists(dir.resolve("v" + (latest + 1) + ".avsc"))) {
            latest++;
        }
        if (latest > 0) {
            Schema released = new Schema.Parser().parse(dir.resolve("v" + latest + ".avsc").toFile());
            if (released.toString().equals(current.toString())) {
                return name + ": unchanged since v" + latest;
            }
        }
        int next = latest + 1;
        Path schemaFile = dir.resolve("v" + next + ".avsc");
        Path sampleFile = dir.resolve("v" + next + ".avro-binary");
        if (Files.exists(sampleFile)) {
            throw new IOException(sampleFile + " exists without its schema; released fixtures are never replaced");
        }
        String pretty = SchemaFormatter.format("json/pretty", current);
        Files.writeString(schemaFile, pretty + "\n", StandardCharsets.UTF_8);
        Files.write(sampleFile, encode(sample));
        return name + ": released v" + next;
    }

    static byte[] encode(SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema(), SpecificData.getForClass(record.getClass()))
            .write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
