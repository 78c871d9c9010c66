package dev.retina.engine.train;

import dev.retina.engine.data.LabeledDataset;
import dev.retina.engine.model.PreprocessSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mini-batch training of a {@link Network} with softmax cross-entropy, on a worker pool this trainer owns.
 *
 * <h2>Parallelism and reproducibility</h2>
 * The images of a mini-batch are spread over the workers; each image's gradient goes to its own slot
 * (indexed by its position in the batch, not by thread), and the batch gradient is the sum of the slots
 * in slot order divided by the batch size. Each image's arithmetic is sequential and the sums run in a
 * fixed order, so the trained parameters are bit-identical for equal seeds and configurations whatever
 * the thread count. The epoch's order is a Fisher-Yates shuffle seeded from {@code (seed, epoch)}.
 *
 * <p>Close the trainer to stop its workers.
 */
public final class Trainer implements AutoCloseable {

    private static final int EVAL_CHUNK = 16;
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final TrainingConfig config;
    private final ExecutorService pool;

    public Trainer(TrainingConfig config) {
        this.config = config;
        this.pool = config.threads() == 1 ? null : Executors.newFixedThreadPool(config.threads(),
                daemonThreads("retina-train-" + POOL_IDS.incrementAndGet() + "-"));
    }

    public TrainingConfig config() {
        return config;
    }

    /** Loads a data set into memory, generating or copying samples on the workers. */
    public TrainingSet load(LabeledDataset data, PreprocessSpec spec) {
        TrainingSet set = TrainingSet.allocate(data, spec);
        int n = data.size();
        int chunk = Math.max(64, n / (config.threads() * 8) + 1);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int from = 0; from < n; from += chunk) {
            int f = from;
            int t = Math.min(n, from + chunk);
            tasks.add(() -> {
                set.fill(data, f, t);
                return null;
            });
        }
        runAll(tasks);
        return set;
    }

    /**
     * Trains {@code network} in place for {@code config.epochs()} epochs over {@code train}, evaluating
     * {@code validation} (may be null) after each epoch, and reports each epoch to {@code listener}.
     */
    public List<EpochStats> train(Network network, TrainingSet train, TrainingSet validation,
            TrainingListener listener) {
        checkCompatible(network, train);
        if (validation != null) {
            checkCompatible(network, validation);
        }
        int n = train.size();
        int batch = Math.min(config.batchSize(), n);
        int workers = config.threads();
        int params = network.parameterCount();
        float[][] sampleGrads = new float[batch][params];
        float[] grad = new float[params];
        float[] losses = new float[batch];
        boolean[] correct = new boolean[batch];
        Network.Workspace[] spaces = new Network.Workspace[workers];
        float[][] inputs = new float[workers][];
        for (int t = 0; t < workers; t++) {
            spaces[t] = network.newWorkspace();
            inputs[t] = spaces[t].input();
        }
        Optimizer optimizer = Optimizer.create(config.optimizer(), params, config.momentum());
        int stepsPerEpoch = (n + batch - 1) / batch;
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        long step = 0;
        int[] order = new int[n];
        List<EpochStats> history = new ArrayList<>();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            shuffle(order, epoch);
            long started = System.nanoTime();
            double lossSum = 0;
            long hits = 0;
            for (int start = 0; start < n; start += batch) {
                int size = Math.min(batch, n - start);
                int first = start;
                AtomicInteger next = new AtomicInteger();
                List<Callable<Void>> tasks = new ArrayList<>(workers);
                for (int t = 0; t < workers; t++) {
                    Network.Workspace ws = spaces[t];
                    float[] input = inputs[t];
                    tasks.add(() -> {
                        for (int s = next.getAndIncrement(); s < size; s = next.getAndIncrement()) {
                            int index = order[first + s];
                            int label = train.label(index);
                            float[] g = sampleGrads[s];
                            Arrays.fill(g, 0f);
                            train.input(index, input);
                            losses[s] = network.forwardBackward(ws, label, g, false);
                            correct[s] = SoftmaxCrossEntropy.argmax(ws.probs, ws.probs.length) == label;
                        }
                        return null;
                    });
                }
                runAll(tasks);
                Arrays.fill(grad, 0f);
                for (int s = 0; s < size; s++) {
                    float[] g = sampleGrads[s];
                    for (int j = 0; j < params; j++) {
                        grad[j] += g[j];
                    }
                    lossSum += losses[s];
                    hits += correct[s] ? 1 : 0;
                }
                float inv = 1f / size;
                for (int j = 0; j < params; j++) {
                    grad[j] *= inv;
                }
                optimizer.step(network.params(), grad, learningRate(step++, totalSteps));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double valAccuracy = validation == null ? Double.NaN : evaluate(network, validation).accuracy();
            EpochStats stats = new EpochStats(epoch, config.epochs(), lossSum / n, (double) hits / n,
                    n / Math.max(seconds, 1e-9), seconds, valAccuracy);
            history.add(stats);
            listener.onEpoch(stats);
        }
        return history;
    }

    /** Classifies every sample of {@code data} with {@code network} (argmax of the logits). */
    public ConfusionMatrix evaluate(Network network, TrainingSet data) {
        checkCompatible(network, data);
        int n = data.size();
        int[] predicted = new int[n];
        AtomicInteger next = new AtomicInteger();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < config.threads(); t++) {
            tasks.add(() -> {
                Network.Workspace ws = network.newWorkspace();
                float[] input = ws.input();
                for (int c = next.getAndAdd(EVAL_CHUNK); c < n; c = next.getAndAdd(EVAL_CHUNK)) {
                    for (int i = c; i < Math.min(n, c + EVAL_CHUNK); i++) {
                        data.input(i, input);
                        network.runForward(ws);
                        predicted[i] = SoftmaxCrossEntropy.argmax(ws.output(), network.classes());
                    }
                }
                return null;
            });
        }
        runAll(tasks);
        ConfusionMatrix m = new ConfusionMatrix(data.labels());
        for (int i = 0; i < n; i++) {
            m.add(data.label(i), predicted[i]);
        }
        return m;
    }

    private float learningRate(long step, long total) {
        if (!config.cosineDecay()) {
            return config.learningRate();
        }
        return (float) (config.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / total)));
    }

    private void shuffle(int[] order, int epoch) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random r = new Random(config.seed() * 0x9E3779B97F4A7C15L + epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }

    private static void checkCompatible(Network network, TrainingSet data) {
        int[] dims = network.inputDims();
        if (dims[0] != data.channels() || dims[1] != data.height() || dims[2] != data.width()) {
            throw new IllegalArgumentException("network input " + Arrays.toString(dims) + " does not match data ["
                    + data.channels() + ", " + data.height() + ", " + data.width() + "]");
        }
        if (network.classes() != data.labels().size()) {
            throw new IllegalArgumentException("network has " + network.classes() + " classes, data has "
                    + data.labels().size() + " " + data.labels());
        }
    }

    private void runAll(List<Callable<Void>> tasks) {
        if (pool == null) {
            for (Callable<Void> task : tasks) {
                try {
                    task.call();
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("training task failed: " + e, e);
                }
            }
            return;
        }
        try {
            List<Future<Void>> futures = pool.invokeAll(tasks);
            for (Future<Void> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("training task failed: " + cause, cause);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger ids = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops the workers; waits up to ten seconds for running tasks. */
    @Override
    public void close() {
        if (pool == null) {
            return;
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
