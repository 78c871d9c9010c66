package dev.retina.cli;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.model.Labels;
import dev.retina.engine.model.ModelPackage;
import dev.retina.schemas.avro.GoldenImage;
import dev.retina.schemas.avro.ModelRelease;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.model.GoldenSetDirectory;
import dev.retina.streams.model.ModelCandidate;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.model.ModelRejectedException;
import dev.retina.streams.model.ModelTopic;
import dev.retina.streams.model.ModelValidator;
import dev.retina.streams.model.ValidationSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code retina publish-model}: publishes a model package as a {@link ModelRelease} on the compacted models topic,
 * keyed {@code <name>:<version>} (see {@link ModelTopic}). Before anything is sent the package is validated
 * exactly as every application instance will validate it (graph, label count, canary inference, golden set): a
 * release that would be rejected is refused here with the reason. The ONNX bytes travel inline, or with
 * {@code --uri} only that location and the bytes' sha256 (for models near or over the topic's 64 MiB record
 * limit). Prints {@code published <name>:<version> sha256=<hex> to <topic>-<partition>@<offset>}.
 */
@Command(name = "publish-model", mixinStandardHelpOptions = true,
        description = "Validate a model package and publish it as a release on the models topic.")
public final class PublishModelCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(names = "--model-dir", paramLabel = "DIR", required = true,
            description = "Package directory with model.onnx, labels.txt and preprocess.json.")
    Path modelDir;

    @Option(names = "--name", paramLabel = "NAME", required = true, description = "Model name.")
    String name;

    @Option(names = "--version", paramLabel = "VERSION", required = true, description = "Release version.")
    String version;

    @Option(names = "--golden-dir", paramLabel = "DIR",
            description = "Golden set <DIR>/<label>/<image>: every instance checks the model against it.")
    Path goldenDir;

    @Option(names = "--golden-min-accuracy", paramLabel = "X", defaultValue = "1.0",
            description = "Accuracy on the golden set required here before publishing (default: ${DEFAULT-VALUE}).")
    double goldenMinAccuracy;

    @Option(names = "--uri", paramLabel = "URI",
            description = "Publish this file:, http: or https: location instead of the bytes inline.")
    String uri;

    @Option(names = "--notes", paramLabel = "TEXT", description = "Release notes.")
    String notes;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "${env:RETINA_MODELS_TOPIC:-models}",
            description = "Models topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() throws IOException, InterruptedException {
        try {
            ModelTopic.releaseKey(name, version);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        byte[] onnx = read(modelDir.resolve(ModelPackage.MODEL_FILE));
        List<String> labels = Labels.parse(read(modelDir.resolve(ModelPackage.LABELS_FILE)));
        String preprocess = new String(read(modelDir.resolve(ModelPackage.PREPROCESS_FILE)), StandardCharsets.UTF_8);
        List<ModelCandidate.GoldenSample> golden = goldenDir == null ? List.of() : GoldenSetDirectory.read(goldenDir);
        String sha256 = ModelPackage.sha256(onnx);

        ModelIdentity identity;
        try (Engine engine = Engine.create(1);
                ModelValidator validator = new ModelValidator(engine,
                        ValidationSettings.defaults().withGoldenMinAccuracy(goldenMinAccuracy))) {
            identity = validator.check(new ModelCandidate(name, version, sha256, onnx, labels, preprocess, golden,
                    modelDir.toString()));
        } catch (ModelRejectedException e) {
            throw new IllegalArgumentException("refusing to publish " + name + ":" + version + ": " + e.getMessage(), e);
        }

        List<GoldenImage> goldenImages = new ArrayList<>();
        for (ModelCandidate.GoldenSample g : golden) {
            goldenImages.add(new GoldenImage(g.id(), ByteBuffer.wrap(g.image()), g.expectedLabel()));
        }
        ModelRelease release = ModelRelease.newBuilder()
                .setName(name).setVersion(version).setSha256(sha256)
                .setOnnx(uri == null ? ByteBuffer.wrap(onnx) : null).setUri(uri)
                .setLabels(labels).setPreprocessing(preprocess).setReleasedAt(Instant.now())
                .setGoldenSet(goldenImages.isEmpty() ? null : goldenImages).setNotes(notes)
                .build();

        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "retina-publish-model");
        config.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ModelTopic.MAX_RECORD_BYTES);
        SchemaRegistryClient registry = SchemaRegistryClient.fromKafkaConfig(config);
        try (AvroSerde<ModelRelease> serde = new AvroSerde<>(ModelRelease.class, registry, false);
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] value = serde.serializer().serialize(topic, release);
            if (value.length > ModelTopic.MAX_RECORD_BYTES) {
                throw new IllegalArgumentException("expected a release record of at most " + ModelTopic.MAX_RECORD_BYTES
                        + " bytes (the models topic's max.message.bytes), found " + value.length
                        + "; publish the model by --uri instead");
            }
            RecordMetadata md = producer.send(new ProducerRecord<>(topic,
                    ModelTopic.releaseKey(name, version).getBytes(StandardCharsets.UTF_8), value)).get();
            out.printf("published %s:%s sha256=%s (%d bytes%s%s) to %s-%d@%d%n", identity.name(), identity.version(),
                    sha256, onnx.length, uri == null ? " inline" : " at " + uri,
                    golden.isEmpty() ? "" : ", golden set of " + golden.size(), md.topic(), md.partition(),
                    md.offset());
            out.flush();
            return 0;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot publish " + name + ":" + version + " to " + topic + ": "
                    + cause.getMessage(), cause);
        }
    }

    private static byte[] read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("expected the file " + file + " of a model package, found "
                    + (Files.exists(file) ? "something else" : "nothing"));
        }
        return Files.readAllBytes(file);
    }
}
