package dev.retina.engine.data;

import java.nio.file.Path;

/**
 * Where training or evaluation data comes from, as written on the command line:
 * <ul>
 *   <li>{@code synthetic}: {@link SyntheticShapes}, generated from a seed and a count;</li>
 *   <li>{@code idx:DIR}: an MNIST-style directory of IDX files ({@code train-*} and {@code t10k-*}).</li>
 * </ul>
 */
public sealed interface DatasetSpec permits DatasetSpec.Synthetic, DatasetSpec.Idx {

    /** Which part of a data set to open. */
    enum Split { TRAIN, TEST }

    /**
     * Opens the data. For {@code synthetic}, {@code seed} and {@code count} choose the images and the
     * split only documents intent (use different seeds for training and testing). For {@code idx:DIR}
     * the split selects the file pair and {@code seed} is ignored; {@code count} limits the number of
     * samples when positive (the first {@code count} of the file).
     */
    LabeledDataset open(Split split, long seed, int count);

    /** Parses {@code synthetic} or {@code idx:DIR}. */
    static DatasetSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new DatasetException(DatasetException.Reason.BAD_SPEC,
                    "expected a dataset 'synthetic' or 'idx:DIR', found nothing");
        }
        String t = text.strip();
        if (t.equals("synthetic")) {
            return new Synthetic();
        }
        if (t.startsWith("idx:")) {
            String dir = t.substring(4);
            if (dir.isBlank()) {
                throw new DatasetException(DatasetException.Reason.BAD_SPEC,
                        "expected a directory after 'idx:', found '" + text + "'");
            }
            return new Idx(Path.of(dir));
        }
        throw new DatasetException(DatasetException.Reason.BAD_SPEC,
                "expected a dataset 'synthetic' or 'idx:DIR', found '" + text + "'");
    }

    /** The synthetic shapes data set. */
    record Synthetic() implements DatasetSpec {
        @Override
        public LabeledDataset open(Split split, long seed, int count) {
            if (count <= 0) {
                throw new DatasetException(DatasetException.Reason.BAD_VALUE,
                        "synthetic data needs a positive image count, found " + count);
            }
            return new SyntheticShapes(seed, count);
        }

        @Override
        public String toString() {
            return "synthetic";
        }
    }

    /** An MNIST-style IDX directory. */
    record Idx(Path dir) implements DatasetSpec {
        @Override
        public LabeledDataset open(Split split, long seed, int count) {
            IdxDataset all = IdxDataset.openDirectory(dir, split == Split.TRAIN);
            return count > 0 && count < all.size() ? new Subset(all, count) : all;
        }

        @Override
        public String toString() {
            return "idx:" + dir;
        }
    }
}
