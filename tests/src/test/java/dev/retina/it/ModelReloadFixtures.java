package dev.retina.it;

import dev.retina.engine.data.SyntheticShapes;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.train.Architecture;
import dev.retina.engine.train.ModelPackageWriter;
import dev.retina.engine.train.Network;
import dev.retina.engine.train.TrainingSet;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.retina.engine.model.Labels;
import dev.retina.engine.model.ModelPackage;
import dev.retina.schemas.avro.ModelRelease;
import dev.retina.schemas.registry.AvroSerde;
import dev.retina.schemas.registry.EmbeddedSchemaRegistry;
import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.streams.model.ModelTopic;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Model packages for the hot-reload tests: the shapes architecture with weights drawn from a seed. */
final class ModelReloadFixtures {

    private ModelReloadFixtures() {
    }

    /** Writes a shapes-s package whose weights come from {@code seed} into {@code dir}; returns {@code dir}. */
    static Path shapesPackage(Path dir, long seed) {
        return shapesPackage(dir, seed, "shapes-s");
    }

    /**
     * A valid package with the shapes labels but a 128x128 input and four 256-channel 3x3 convolutions at full
     * resolution (about 39 GMAC per image, against 0.03 for shapes-s): several times slower than a canary budget of
     * a few hundred milliseconds even with the vector kernels on an idle machine, so its rejection as
     * CANARY_TIMEOUT does not depend on the machine's load.
     */
    static Path slowShapesPackage(Path dir) {
        int size = 128;
        SyntheticShapes shapes = new SyntheticShapes(1, 8);
        PreprocessSpec spec = PreprocessSpec.builder(size, size)
                .optColorMode(PreprocessSpec.ColorMode.RGB)
                .optMean(new double[] {0.5, 0.5, 0.5})
                .optStd(new double[] {0.25, 0.25, 0.25})
                .optOutput(PreprocessSpec.OutputKind.PROBABILITIES)
                .build();
        Network network = Network.create(3, size, size, Architecture.parse(
                "conv:256:3,relu,conv:256:3,relu,conv:256:3,relu,conv:256:3,relu,pool:16"),
                shapes.labels().size(), 7);
        try {
            ModelPackageWriter.write(dir, network, shapes.labels(), spec, 7, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static Path shapesPackage(Path dir, long seed, String architecture) {
        SyntheticShapes shapes = new SyntheticShapes(1, 8);
        PreprocessSpec spec = TrainingSet.defaultSpec(shapes);
        Network network = Network.create(3, shapes.height(), shapes.width(), Architecture.parse(architecture),
                shapes.labels().size(), seed);
        try {
            ModelPackageWriter.write(dir, network, shapes.labels(), spec, seed, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Publishes the package in {@code pkg} as {@code shapes:<version>} with a raw producer (no validation). */
    static void publishRelease(String bootstrap, EmbeddedSchemaRegistry registry, String topic, Path pkg,
                               String version) throws Exception {
        byte[] onnx = Files.readAllBytes(pkg.resolve("model.onnx"));
        ModelRelease r = release(version, onnx, ModelPackage.sha256(onnx),
                Labels.parse(Files.readAllBytes(pkg.resolve("labels.txt"))),
                Files.readString(pkg.resolve("preprocess.json")));
        try (AvroSerde<ModelRelease> serde = new AvroSerde<>(ModelRelease.class,
                    SchemaRegistryClient.forUrl(registry.url()), false);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap,
                    new ByteArraySerializer(), new ByteArraySerializer(),
                    Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ModelTopic.MAX_RECORD_BYTES))) {
            producer.send(new ProducerRecord<>(topic, ModelTopic.releaseKey("shapes", version)
                    .getBytes(StandardCharsets.UTF_8), serde.serializer().serialize(topic, r))).get();
        }
    }

    /** Publishes four broken releases of {@code pkg} as versions 3 to 6: truncated ONNX, wrong sha256, one label too many, an unknown operator. */
    static void publishCorruptReleases(String bootstrap, EmbeddedSchemaRegistry registry, String topic, Path pkg)
            throws Exception {
        byte[] onnx = Files.readAllBytes(pkg.resolve("model.onnx"));
        List<String> labels = Labels.parse(Files.readAllBytes(pkg.resolve("labels.txt")));
        String preprocess = Files.readString(pkg.resolve("preprocess.json"));
        byte[] truncated = java.util.Arrays.copyOf(onnx, onnx.length / 3);
        List<String> extraLabel = new ArrayList<>(labels);
        extraLabel.add("unicorn");
        ModelProto.Builder proto = ModelProto.parseFrom(onnx).toBuilder();
        proto.getGraphBuilder().getNodeBuilder(0).setOpType("FrobnicateV9");
        byte[] unknownOp = proto.build().toByteArray();
        List<ModelRelease> releases = List.of(
                release("3", truncated, ModelPackage.sha256(truncated), labels, preprocess),
                release("4", onnx, ModelPackage.sha256(truncated), labels, preprocess),
                release("5", onnx, ModelPackage.sha256(onnx), extraLabel, preprocess),
                release("6", unknownOp, ModelPackage.sha256(unknownOp), labels, preprocess));
        try (AvroSerde<ModelRelease> serde = new AvroSerde<>(ModelRelease.class,
                    SchemaRegistryClient.forUrl(registry.url()), false);
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap,
                    new ByteArraySerializer(), new ByteArraySerializer(),
                    Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ModelTopic.MAX_RECORD_BYTES))) {
            for (ModelRelease r : releases) {
                producer.send(new ProducerRecord<>(topic, ModelTopic.releaseKey(r.getName(), r.getVersion())
                        .getBytes(StandardCharsets.UTF_8), serde.serializer().serialize(topic, r))).get();
            }
        }
    }

    private static ModelRelease release(String version, byte[] onnx, String sha, List<String> labels,
                                        String preprocess) {
        return ModelRelease.newBuilder().setName("shapes").setVersion(version).setSha256(sha)
                .setOnnx(ByteBuffer.wrap(onnx)).setUri(null).setLabels(labels).setPreprocessing(preprocess)
                .setReleasedAt(Instant.now()).build();
    }

}
