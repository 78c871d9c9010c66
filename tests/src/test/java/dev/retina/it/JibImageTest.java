package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.retina.streams.AppConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The container image tarball that Jib writes ({@code ./mvnw -Pimage -pl producer-tools -am package}, see
 * producer-tools' pom): its configuration (entrypoint, JVM flags, non-root user, exposed port) and its layers (the
 * CLI's classes and classpath, the shipped models). CI builds the tarball before the test run; without it the tests
 * are skipped with the command that builds it.
 *
 * <p>The tarball is read in Docker's {@code docker save} layout: {@code manifest.json} naming the config file and the
 * gzipped layer tars.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JibImageTest {

    static final String MAIN_CLASS = "dev.retina.cli.RetinaCli";
    static final String MODELS_IN_IMAGE = "opt/retina/models/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode manifest;
    private static JsonNode config;
    /** Every path in the image's layers (no leading slash), and the content of the few small files we read. */
    private static final Set<String> paths = new HashSet<>();
    private static final Map<String, String> smallFiles = new HashMap<>();
    private static Path repositoryRoot;

    @BeforeAll
    static void readImage() throws IOException, URISyntaxException {
        repositoryRoot = ComposeFileTest.findRepositoryRoot();
        Path tarball = imageTarball();
        Assumptions.assumeTrue(Files.isRegularFile(tarball), "no image tarball at " + tarball + "; build it with"
                + " ./mvnw -Pimage -pl producer-tools -am package -DskipTests (offline: -Dretina.image.base=scratch)");
        Map<String, byte[]> entries = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(tarball))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) {
                    entries.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        JsonNode manifests = JSON.readTree(entries.get("manifest.json"));
        assertThat(manifests.isArray() && manifests.size() == 1).as("manifest.json: %s", manifests).isTrue();
        manifest = manifests.get(0);
        config = JSON.readTree(entries.get(manifest.path("Config").asText()));
        for (JsonNode layer : manifest.path("Layers")) {
            byte[] bytes = entries.get(layer.asText());
            assertThat(bytes).as("layer %s listed in manifest.json", layer.asText()).isNotNull();
            readLayer(new GZIPInputStream(new ByteArrayInputStream(bytes)));
        }
    }

    private static void readLayer(InputStream gzipped) throws IOException {
        try (TarArchiveInputStream layer = new TarArchiveInputStream(gzipped)) {
            for (TarArchiveEntry e = layer.getNextEntry(); e != null; e = layer.getNextEntry()) {
                String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
                paths.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
                if (e.isFile() && name.startsWith("app/jib-")) {
                    smallFiles.put(name, new String(layer.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** producer-tools' build folder: the one this module builds into (retina.target), next door. */
    private static Path imageTarball() throws URISyntaxException {
        Path testClasses = Path.of(JibImageTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String buildFolder = testClasses.getParent().getFileName().toString();
        return repositoryRoot.resolve("producer-tools").resolve(buildFolder).resolve("jib-image.tar");
    }

    @Test
    void entrypointRunsTheCliWithContainerMemoryFlags() {
        List<String> entrypoint = strings(config.path("config").path("Entrypoint"));
        assertThat(entrypoint).as("entrypoint").first().isEqualTo("java");
        assertThat(entrypoint).as("entrypoint").last().isEqualTo(MAIN_CLASS);
        assertThat(entrypoint).anyMatch(flag -> flag.matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?"));
        assertThat(entrypoint).contains("-cp");
        String classpathArg = entrypoint.get(entrypoint.indexOf("-cp") + 1);
        assertThat(classpathArg).startsWith("@");
        assertThat(strings(config.path("config").path("Cmd"))).as("no default command: the user names one")
                .isEmpty();
    }

    @Test
    void classpathFileNamesTheCliAndEveryLibraryInTheImage() {
        String mainClassFile = smallFiles.get("app/jib-main-class-file");
        assertThat(mainClassFile).as("app/jib-main-class-file").isNotNull();
        assertThat(mainClassFile.trim()).isEqualTo(MAIN_CLASS);
        String classpath = smallFiles.get("app/jib-classpath-file");
        assertThat(classpath).as("app/jib-classpath-file").isNotNull();
        List<String> elements = List.of(classpath.trim().split(":"));
        assertThat(elements).contains("/app/classes").anyMatch(e -> e.contains("retina-streams-app"))
                .anyMatch(e -> e.contains("retina-cnn-engine")).anyMatch(e -> e.contains("kafka-streams"));
        for (String element : elements) {
            if (!element.endsWith("/*")) {
                assertThat(paths).as("classpath element %s is in a layer", element).contains(element.substring(1));
            }
        }
        assertThat(paths).contains("app/classes/" + MAIN_CLASS.replace('.', '/') + ".class");
    }

    @Test
    void runsAsANonRootUser() {
        String user = config.path("config").path("User").asText();
        assertThat(user).as("image user").isNotBlank();
        String uid = user.split(":")[0];
        assertThat(uid).as("user id").isNotEqualTo("root").matches("\\d+");
        assertThat(Integer.parseInt(uid)).as("user id").isPositive();
    }

    @Test
    void exposesTheApplicationsHttpPort() {
        Object defaultPort = AppConfig.TABLE.configKeys().get(AppConfig.HTTP_PORT).defaultValue;
        Set<String> ports = new HashSet<>();
        config.path("config").path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).containsExactly(defaultPort + "/tcp");
    }

    @Test
    void shipsEveryModelPackageAndTheOneTheComposeStackServes() throws IOException {
        List<String> shipped = new ArrayList<>();
        Path models = repositoryRoot.resolve("models");
        try (Stream<Path> files = Files.walk(models)) {
            files.filter(Files::isRegularFile).forEach(f -> shipped.add(models.relativize(f).toString()));
        }
        assertThat(shipped).as("files under models/").isNotEmpty();
        for (String file : shipped) {
            assertThat(paths).as("model file %s in the image", file).contains(MODELS_IN_IMAGE + file);
        }
        JsonNode compose = new YAMLMapper().readTree(repositoryRoot.resolve("docker-compose.yml").toFile());
        String served = compose.path("services").path("retina-app-1").path("environment").path("RETINA_MODEL_DIR")
                .asText();
        assertThat(served).as("RETINA_MODEL_DIR of retina-app-1").isNotEmpty();
        for (String required : List.of("model.onnx", "labels.txt", "preprocess.json")) {
            assertThat(paths).as("the compose stack's model package in the image")
                    .contains(served.substring(1) + "/" + required);
        }
    }

    @Test
    void isTaggedWithTheNameTheComposeStackUses() throws IOException {
        JsonNode compose = new YAMLMapper().readTree(repositoryRoot.resolve("docker-compose.yml").toFile());
        String image = compose.path("services").path("retina-app-1").path("image").asText();
        assertThat(strings(manifest.path("RepoTags"))).contains(image);
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        node.forEach(n -> values.add(n.asText()));
        return values;
    }
}
