package dev.retina.streams.stats;

/** Observations for tests: sensible defaults, and the few fields a test cares about set by name. */
final class Obs {

    static final String MODEL = "shapes";
    static final String VERSION = "3";

    private String label = "circle";
    private int index;
    private double score = 0.9;
    private double entropy = 0.3;
    private int width = 64;
    private int height = 48;
    private double brightness = 0.5;
    private double contrast = 0.2;
    private float[] embedding;
    private double endToEnd = 12;
    private double inference = 3;
    private String truth;
    private long time = 1_000;
    private String version = VERSION;
    private String source = "camera-1";

    static Obs of(String label, double score) {
        Obs o = new Obs();
        o.label = label;
        o.score = score;
        return o;
    }

    Obs index(int i) {
        index = i;
        return this;
    }

    Obs size(int w, int h) {
        width = w;
        height = h;
        return this;
    }

    Obs brightness(double b) {
        brightness = b;
        return this;
    }

    Obs embedding(float... v) {
        embedding = v;
        return this;
    }

    Obs latency(double endToEndMillis, double inferenceMillis) {
        endToEnd = endToEndMillis;
        inference = inferenceMillis;
        return this;
    }

    Obs truth(String groundTruth) {
        truth = groundTruth;
        return this;
    }

    Obs time(long millis) {
        time = millis;
        return this;
    }

    Obs version(String v) {
        version = v;
        return this;
    }

    Obs source(String s) {
        source = s;
        return this;
    }

    Observation build() {
        return new Observation(MODEL, version, source, index, label, score, entropy, width, height, brightness,
            contrast, embedding, endToEnd, inference, truth, time);
    }
}
