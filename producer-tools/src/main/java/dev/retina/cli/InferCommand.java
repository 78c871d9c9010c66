package dev.retina.cli;

import dev.retina.engine.exec.Engine;
import dev.retina.engine.exec.Session;
import dev.retina.engine.graph.Model;
import dev.retina.engine.io.Npy;
import dev.retina.engine.onnx.OnnxImporter;
import dev.retina.engine.tensor.Tensor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code retina infer --model M.onnx --input X.npy --output Y.npy [--threads T]}: runs an ONNX model on one
 * float32 C-order NumPy tensor (float64 is converted) and writes the model's first output as a little-endian
 * float32 {@code .npy}. The input's leading dimension is the batch. Prints one line:
 * {@code output <name> <shape> -> <file>}.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Run an ONNX model on a .npy tensor and write its first output as .npy (float32).")
public final class InferCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model file.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "X.npy",
            description = "Input tensor: NumPy .npy, float32 (or float64), C order, batch first.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy",
            description = "Where to write the model's first output (.npy, float32).")
    Path output;

    @Option(names = "--threads", paramLabel = "T",
            description = "Engine worker threads (default: the number of processors).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        int workers = threads(spec, threads);
        requireFile(model, "--model");
        requireFile(input, "--input");
        Model loaded = OnnxImporter.load(model);
        Tensor x = Npy.read(input);
        Tensor y;
        try (Engine engine = workers > 0 ? Engine.create(workers) : Engine.create();
             Session session = engine.newSession(loaded)) {
            y = session.run(x);
        }
        try {
            Npy.write(y, output);
        } catch (IOException e) {
            throw new IOException("--output: cannot write " + output + " (" + e + ")", e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("output " + loaded.outputs().get(0).name() + " " + y.shape() + " -> " + output);
        out.flush();
        return 0;
    }

    /** Fails naming the option and path unless {@code file} is a readable regular file. */
    static void requireFile(Path file, String option) throws NoSuchFileException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(null, null, option + ": no such file: " + file);
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new NoSuchFileException(null, null, option + ": not a readable file: " + file);
        }
    }

    /**
     * The worker thread count: {@code 0} for the engine default (available processors), else the given value.
     *
     * @throws CommandLine.ParameterException (usage, exit code 2) for a value below 1
     */
    static int threads(CommandSpec spec, Integer threads) {
        if (threads == null) {
            return 0;
        }
        if (threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--threads must be at least 1, found " + threads);
        }
        return threads;
    }
}
