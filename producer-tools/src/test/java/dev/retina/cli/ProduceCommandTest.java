package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The producer's refusals, which happen before anything is sent (no broker needed). */
@Timeout(60)
class ProduceCommandTest {

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void oversizedImageIsRefusedNeverTruncated() throws Exception {
        Path big = dir.resolve("big.png");
        byte[] png = new byte[2048];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, 0, png, 0, 8);
        Files.write(big, png);

        int code = run("produce", "-b", "localhost:1", "-r", "http://localhost:1", "--max-image-bytes", "1000", big.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("big.png is 2048 bytes, over the limit of 1000 bytes");
        assertThat(out.toString()).contains("sent=0 failed=1");
    }

    @Test
    void unknownFormatIsRefusedWithWhatWasFound() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello");

        int code = run("produce", "-b", "localhost:1", "-r", "http://localhost:1", text.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("notes.txt is not a JPEG, PNG, GIF or BMP image");
    }

    @Test
    void missingPathNamesIt() {
        int code = run("produce", "-b", "localhost:1", "-r", "http://localhost:1", dir.resolve("nope.jpg").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("no such file or folder").contains("nope.jpg");
    }

    @Test
    void badArgumentsPrintWhatWasExpected() {
        assertThat(run("produce")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'PATH'").contains("--synthetic N");

        err.getBuffer().setLength(0);
        assertThat(run("tail", "--topic", "images", "--timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("expected a duration such as 500ms, 30s");
    }

    @Test
    void syntheticOptionsAreCheckedBeforeAnythingIsSent() {
        assertThat(run("produce", "--synthetic", "3", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("expected either PATH arguments or --synthetic N, found both");

        err.getBuffer().setLength(0);
        assertThat(run("produce", "--bad", "4", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--bad 4 needs --synthetic N");

        err.getBuffer().setLength(0);
        assertThat(run("produce", "--synthetic", "3", "--rate", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate must be a positive number of records per second, found 0.0");

        err.getBuffer().setLength(0);
        assertThat(run("produce", "--synthetic", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--synthetic must be >= 0, found -1");
    }

    @Test
    void dirOptionExpectsAFolder() throws Exception {
        Path file = dir.resolve("one.png");
        Files.writeString(file, "x");

        assertThat(run("produce", "-b", "localhost:1", "-r", "http://localhost:1", "--dir", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--dir expects a folder, found a file at").contains("one.png");
    }

    @Test
    void dirOptionSendsTheFolderLikeAPath() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("circle"));
        Files.writeString(folder.resolve("a.txt"), "not an image");

        int code = run("produce", "-b", "localhost:1", "-r", "http://localhost:1", "--dir", folder.toString(),
                "--label-from-folder");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("a.txt is not a JPEG, PNG, GIF or BMP image");
    }

    @Test
    void sniffsTheFormatsThePipelineDecodes() {
        assertThat(ImageFormats.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0})).contains("image/jpeg");
        assertThat(ImageFormats.sniff("GIF89a".getBytes())).contains("image/gif");
        assertThat(ImageFormats.sniff("BM....".getBytes())).contains("image/bmp");
        assertThat(ImageFormats.sniff(new byte[0])).isEmpty();
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        assertThat(Durations.parse("500ms")).hasMillis(500);
        assertThat(Durations.parse("30s")).hasSeconds(30);
        assertThat(Durations.parse("10m")).hasMinutes(10);
        assertThat(Durations.parse("PT1M")).hasSeconds(60);
    }
}
