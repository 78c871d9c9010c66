package dev.retina.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.puppycrawl.tools.checkstyle.Checker;
import com.puppycrawl.tools.checkstyle.ConfigurationLoader;
import com.puppycrawl.tools.checkstyle.PropertiesExpander;
import com.puppycrawl.tools.checkstyle.api.AuditEvent;
import com.puppycrawl.tools.checkstyle.api.AuditListener;
import com.puppycrawl.tools.checkstyle.api.CheckstyleException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves that the build's layer rule bites: the exact checkstyle configuration the build runs over
 * cnn-engine's main sources rejects an engine class importing Kafka, Avro, Jackson or a logging
 * framework, and accepts the JDK, protobuf, the ONNX classes and image codecs.
 */
@Timeout(60)
class LayerRuleTest {

    private static final Path CONFIG = Path.of("config");

    @TempDir Path tree;

    @ParameterizedTest
    @ValueSource(strings = {
        "org.apache.kafka.clients.producer.KafkaProducer",
        "org.apache.kafka.streams.KafkaStreams",
        "org.apache.avro.Schema",
        "com.fasterxml.jackson.databind.ObjectMapper",
        "org.slf4j.Logger",
        "dev.retina.schemas.avro.ImageRecord",
    })
    void forbiddenImportFailsTheRule(String forbidden) throws Exception {
        Path source = engineSource("Leaky", "import " + forbidden + ";\n");

        List<String> violations = check(source);

        assertThat(violations)
                .as("importing %s into cnn-engine must be rejected", forbidden)
                .singleElement()
                .asString()
                .contains("Disallowed import").contains(forbidden);
    }

    @Test
    void allowedImportsPass() throws Exception {
        Path source = engineSource("Clean", String.join("\n",
                "import java.util.List;",
                "import java.util.concurrent.ForkJoinPool;",
                "import javax.imageio.ImageIO;",
                "import com.google.protobuf.ByteString;",
                "import ai.onnx.proto.OnnxMl;",
                "import dev.retina.engine.tensor.Shape;",
                ""));

        assertThat(check(source)).isEmpty();
    }

    @Test
    void currentEngineSourcesObeyTheRule() throws Exception {
        List<File> sources;
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(Path::toFile).toList();
        }
        assertThat(check(sources.toArray(File[]::new))).isEmpty();
    }

    private Path engineSource(String className, String imports) throws IOException {
        Path dir = tree.resolve("src/main/java/dev/retina/engine/probe");
        Files.createDirectories(dir);
        Path file = dir.resolve(className + ".java");
        Files.writeString(file, "package dev.retina.engine.probe;\n\n" + imports
                + "\nfinal class " + className + " {\n}\n");
        return file;
    }

    private static List<String> check(Path source) throws CheckstyleException {
        return check(source.toFile());
    }

    private static List<String> check(File... sources) throws CheckstyleException {
        Properties props = new Properties();
        props.setProperty("importControlFile", CONFIG.resolve("import-control.xml").toAbsolutePath().toString());
        var config = ConfigurationLoader.loadConfiguration(
                CONFIG.resolve("checkstyle.xml").toAbsolutePath().toString(),
                new PropertiesExpander(props),
                ConfigurationLoader.IgnoredModulesOptions.OMIT);
        List<String> violations = new ArrayList<>();
        Checker checker = new Checker();
        try {
            checker.setModuleClassLoader(Checker.class.getClassLoader());
            checker.configure(config);
            checker.addListener(new Collector(violations));
            checker.process(List.of(sources));
        } finally {
            checker.destroy();
        }
        return violations;
    }

    private record Collector(List<String> violations) implements AuditListener {
        @Override public void addError(AuditEvent event) {
            violations.add(event.getFileName() + ":" + event.getLine() + ": " + event.getMessage());
        }
        @Override public void addException(AuditEvent event, Throwable throwable) {
            violations.add(event.getFileName() + ": " + throwable);
        }
        @Override public void auditStarted(AuditEvent event) { }
        @Override public void auditFinished(AuditEvent event) { }
        @Override public void fileStarted(AuditEvent event) { }
        @Override public void fileFinished(AuditEvent event) { }
    }
}
