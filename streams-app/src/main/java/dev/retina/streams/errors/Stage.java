package dev.retina.streams.errors;

/** Pipeline stages named in dead letters ({@code DeadLetter.stage}); the labels are part of the contract. */
public enum Stage {
    /** Reading the Confluent-framed Avro ImageRecord. */
    DESERIALIZE("deserialize"),
    /** Getting the model to serve. */
    MODEL("model"),
    /** Decoding the image file into pixels. */
    DECODE("decode"),
    /** Resizing, cropping and normalising into the input tensor. */
    PREPROCESS("preprocess"),
    /** The CNN forward pass, including the wait for an engine worker. */
    INFER("infer"),
    /** Turning model output into probabilities and the top-k list. */
    POSTPROCESS("postprocess"),
    /** Anything else inside the topology (an unexpected failure). */
    PROCESS("process");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** The name written into dead letters. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
