package dev.retina.engine.train;

import dev.retina.engine.data.LabeledDataset;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny, easy test data set: 12x12 grayscale images with one bright horizontal (class 0) or vertical
 * (class 1) bar at a random position, on a noisy dark background. Seeded per index.
 */
final class BarsDataset implements LabeledDataset {

    static final int SIDE = 12;

    private final long seed;
    private final int count;

    BarsDataset(long seed, int count) {
        this.seed = seed;
        this.count = count;
    }

    @Override
    public List<String> labels() {
        return List.of("horizontal", "vertical");
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    public int height() {
        return SIDE;
    }

    @Override
    public int width() {
        return SIDE;
    }

    @Override
    public int label(int index) {
        return index % 2;
    }

    @Override
    public void pixels(int index, byte[] dst) {
        SplittableRandom r = new SplittableRandom(seed * 31 + index);
        int pos = r.nextInt(1, SIDE - 1);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                boolean on = label(index) == 0 ? y == pos : x == pos;
                dst[y * SIDE + x] = (byte) ((on ? 180 : 30) + r.nextInt(-25, 26));
            }
        }
    }

    @Override
    public BufferedImage image(int index) {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        byte[] p = new byte[SIDE * SIDE];
        pixels(index, p);
        img.getRaster().setDataElements(0, 0, SIDE, SIDE, p);
        return img;
    }

    @Override
    public String description() {
        return "bars (" + count + ")";
    }
}
