package dev.retina.it;

import dev.retina.engine.data.SyntheticShapes;
import dev.retina.engine.model.PreprocessSpec;
import dev.retina.engine.train.Architecture;
import dev.retina.engine.train.ModelPackageWriter;
import dev.retina.engine.train.Network;
import dev.retina.engine.train.TrainingSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Model packages for the hot-reload tests: the shapes architecture with weights drawn from a seed. */
final class ModelReloadFixtures {

    private ModelReloadFixtures() {
    }

    /** Writes a shapes-s package whose weights come from {@code seed} into {@code dir}; returns {@code dir}. */
    static Path shapesPackage(Path dir, long seed) {
        SyntheticShapes shapes = new SyntheticShapes(1, 8);
        PreprocessSpec spec = TrainingSet.defaultSpec(shapes);
        Network network = Network.create(3, shapes.height(), shapes.width(), Architecture.parse("shapes-s"),
                shapes.labels().size(), seed);
        try {
            ModelPackageWriter.write(dir, network, shapes.labels(), spec, seed, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
