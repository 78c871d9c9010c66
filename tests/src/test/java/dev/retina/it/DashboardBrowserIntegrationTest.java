package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.retina.cli.MalformedKind;
import dev.retina.cli.SyntheticImages;
import dev.retina.cli.SyntheticProducer;
import dev.retina.cli.embedded.EmbeddedKafka;
import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.DriftSummary;
import dev.retina.schemas.avro.FeatureStats;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.streams.AppConfig;
import dev.retina.streams.StreamsAppRunner;
import dev.retina.streams.model.ModelTopic;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in headless Chromium (Debian's chromium and chromium-driver, which .ci/run installs; skipped only
 * when those binaries are absent) against an application on the embedded broker that follows a models topic: the
 * page loads without console errors, thumbnails and labels appear for produced images, every malformed record
 * shows up under its dead-letter reason, the model version shown changes after a hot reload, the feed continues
 * after the page reconnects its event stream, closed statistics windows are listed (a drifting one highlighted),
 * and a screenshot is saved under the module's build folder
 * ({@code dashboard-screenshots/dashboard.png}).
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardBrowserIntegrationTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String MODELS = "models-dashboard";
    private static EmbeddedKafka kafka;
    private static EmbeddedSchemaRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startCluster() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the browser test needs the Debian packages chromium and chromium-driver (" + CHROMIUM + ", "
                        + CHROMEDRIVER + "); .ci/run installs them");
        AvroTrust.ensureTrusted();
        kafka = EmbeddedKafka.builder().start();
        registry = EmbeddedSchemaRegistry.inMemory(0);
    }

    @AfterAll
    static void stopCluster() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Headless Chromium from the Debian packages; no Selenium Manager lookup or download. */
    static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1400,2000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** The folder this module builds into (target, or the retina.target of the build). */
    static Path buildFolder() throws Exception {
        Path testClasses = Path.of(DashboardBrowserIntegrationTest.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        return testClasses.getParent();
    }

    static List<String> consoleErrors(ChromeDriver driver) {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(e.getMessage());
            }
        }
        return errors;
    }

    AppConfig config(String instance) {
        Map<String, String> settings = new HashMap<>();
        settings.put(AppConfig.MODEL_DIR, "");
        settings.put(AppConfig.MODELS_FOLLOW, "true");
        settings.put(AppConfig.MODEL_NAME, "shapes");
        settings.put(AppConfig.MODELS_TOPIC, MODELS);
        settings.put(AppConfig.HTTP_HOST, "127.0.0.1");
        settings.put(AppConfig.HTTP_PORT, "0");
        settings.put(AppConfig.DASHBOARD_THUMBNAILS, "24");
        // Short statistics windows so that closed ones reach the page within the test.
        settings.put(AppConfig.STATS_WINDOW_MS, "2000");
        settings.put(AppConfig.STATS_GRACE_MS, "0");
        settings.put(AppConfig.STATS_REFERENCE_MIN_COUNT, "5");
        settings.put(AppConfig.APPLICATION_ID, "it-dashboard-" + UUID.randomUUID());
        settings.put(AppConfig.INSTANCE_ID, instance);
        return PipelineFixture.appConfig(kafka, registry, tmp, tmp.resolve("state-" + instance), settings);
    }

    @Test
    void thePageShowsImagesDeadLettersAndModelSwapsLive() throws Exception {
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(MODELS, 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(ModelTopic.MAX_RECORD_BYTES))))).all().get();
        }
        Path v1 = ModelReloadFixtures.shapesPackage(tmp.resolve("pkg1"), 1);
        Path v2 = ModelReloadFixtures.shapesPackage(tmp.resolve("pkg2"), 2);
        ModelReloadFixtures.publishRelease(kafka.bootstrapServers(), registry, MODELS, v1, "1");

        try (StreamsAppRunner app = PipelineFixture.startApp(config("dashboard-a"))) {
            ChromeDriver driver = chromium();
            try {
                String url = "http://127.0.0.1:" + app.httpPort() + "/";
                System.out.println("dashboard at " + url);
                driver.get(url);
                eventually(Duration.ofSeconds(30)).until(() -> "live".equals(text(driver, "connection-text")));
                assertThat(text(driver, "model-version")).isEqualTo("shapes:1");
                assertThat(text(driver, "instance-id")).isEqualTo("dashboard-a");

                // Images and every kind of malformed record (11 bad records: one of each kind).
                List<SyntheticProducer.Item> plan = new ArrayList<>();
                PipelineFixture.produce(kafka.bootstrapServers(), registry, 11, 30, MalformedKind.values().length,
                        15, plan::addAll);
                Map<String, Long> expectedReasons = new TreeMap<>();
                for (SyntheticProducer.Item item : plan) {
                    if (!item.valid()) {
                        expectedReasons.merge(item.kind().expectedReason().name(), 1L, Long::sum);
                    }
                }
                eventually(Duration.ofSeconds(90)).untilAsserted(() -> {
                    List<WebElement> cards = driver.findElements(By.cssSelector("#images .image-card"));
                    assertThat(cards).hasSizeGreaterThanOrEqualTo(24);
                    assertThat(driver.findElements(By.cssSelector("#images .image-card img[src^='data:image/jpeg']")))
                            .isNotEmpty();
                    for (WebElement card : cards) {
                        assertThat(card.findElement(By.className("label")).getText()).isNotBlank();
                        assertThat(card.getAttribute("data-version")).isEqualTo("1");
                    }
                });
                eventually(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Map<String, Long> shown = new TreeMap<>();
                    for (WebElement row : driver.findElements(By.cssSelector("#dlq-counts tr[data-reason]"))) {
                        shown.put(row.getAttribute("data-reason"),
                                Long.parseLong(row.findElement(By.className("count")).getText()));
                    }
                    assertThat(shown).isEqualTo(expectedReasons);
                });
                for (String reason : expectedReasons.keySet()) {
                    assertThat(driver.findElements(By.cssSelector("#dlq-latest li[data-reason='" + reason + "']")))
                            .as("latest dead letters under " + reason).isNotEmpty();
                }
                assertThat(consoleErrors(driver)).as("console errors after the first images").isEmpty();

                // A hot reload: version 2 is published and swapped in; the page shows it and its history.
                ModelReloadFixtures.publishRelease(kafka.bootstrapServers(), registry, MODELS, v2, "2");
                eventually(Duration.ofSeconds(60))
                        .until(() -> "shapes:2".equals(text(driver, "model-version")));
                assertThat(driver.findElements(By.cssSelector("#model-history tr[data-outcome='SERVING']")))
                        .extracting(WebElement::getText).anyMatch(t -> t.contains("2"));
                PipelineFixture.produce(kafka.bootstrapServers(), registry, 12, 20, 0, 10, p -> { });
                eventually(Duration.ofSeconds(60)).until(() -> !driver.findElements(
                        By.cssSelector("#images .image-card[data-version='2']")).isEmpty());

                // The page drops its event stream and opens a new one: snapshot, then live events again.
                ((JavascriptExecutor) driver).executeScript("window.retinaDashboard.reconnect();");
                eventually(Duration.ofSeconds(30)).until(() -> "live".equals(text(driver, "connection-text")));
                PipelineFixture.produce(kafka.bootstrapServers(), registry, 13, 10, 0, 10, p -> { });
                List<String> afterReconnect = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    afterReconnect.add(SyntheticImages.imageId(13, i));
                }
                eventually(Duration.ofSeconds(60)).until(() -> driver.findElements(
                        By.cssSelector("#images .image-card")).stream()
                        .anyMatch(c -> afterReconnect.contains(c.getAttribute("data-image-id"))));
                eventually(Duration.ofSeconds(30)).until(() -> !driver.findElements(
                        By.cssSelector("#instance-threads .thread")).isEmpty());

                // Closed statistics windows, read back from the stats topic by the app, drawn and listed.
                eventually(Duration.ofSeconds(60)).until(() -> !driver.findElements(
                        By.cssSelector("#stats-windows tbody tr")).isEmpty());
                assertThat(text(driver, "stats-status")).contains("reading");

                driver.manage().window().setSize(new Dimension(1400, 2000));
                Path shots = Files.createDirectories(buildFolder().resolve("dashboard-screenshots"));
                Path shot = shots.resolve("dashboard.png");
                Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
                System.out.println("dashboard screenshot at " + shot);
                assertThat(Files.size(shot)).isGreaterThan(10_000);

                // A window flagged as drifting (written straight to the stats topic, after the screenshot so that
                // shows only what the app computed) is highlighted in the table.
                FeatureStats drifting = SampleRecords.featureStats(new Random(21));
                Instant start = Instant.now().plusSeconds(60);
                drifting = FeatureStats.newBuilder(drifting).setModelName("shapes").setModelVersion("2")
                        .setWindowStart(start).setWindowEnd(start.plusSeconds(2))
                        .setDrift(DriftSummary.newBuilder(drifting.getDrift()).setPsiClass(0.9).setDrift(true).build())
                        .build();
                try (AvroSerde<FeatureStats> serde = new AvroSerde<>(FeatureStats.class,
                            SchemaRegistryClient.forUrl(registry.url()), false);
                        KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                                new ByteArraySerializer(), new ByteArraySerializer(), Map.of())) {
                    String statsTopic = app.config().statsTopic();
                    producer.send(new ProducerRecord<>(statsTopic, serde.serializer().serialize(statsTopic,
                            drifting))).get();
                }
                eventually(Duration.ofSeconds(30)).until(() -> driver.findElements(
                        By.cssSelector("#stats-windows tr.drift .drift-flag")).stream()
                        .anyMatch(e -> e.getText().equals("DRIFT")));
                assertThat(consoleErrors(driver)).as("console errors").isEmpty();
            } finally {
                driver.quit();
            }
        }
    }

    /** Awaits on a page that re-renders its panels as events arrive: an element may go stale between two reads. */
    private static org.awaitility.core.ConditionFactory eventually(Duration timeout) {
        return await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .ignoreException(StaleElementReferenceException.class);
    }

    private static String text(ChromeDriver driver, String id) {
        return driver.findElement(By.id(id)).getText().trim();
    }
}
