package dev.retina.streams.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.retina.schemas.avro.GoldenImage;
import dev.retina.schemas.avro.ModelRelease;

/**
 * The record conventions of the compacted {@code models} topic.
 *
 * <h2>Keys and values</h2>
 * <ul>
 *   <li><b>Release</b>: key {@code <name>:<version>} (UTF-8), value a {@link ModelRelease} in the Avro wire format.
 *       Keyed by name <i>and</i> version so that compaction keeps every version of a model (a rollback or pin to an
 *       older version needs its record), while republishing the same version replaces it. A null value
 *       (tombstone) lets compaction drop that version's record; instances that already know it keep it.</li>
 *   <li><b>Pin</b>: key {@code pin:<name>}, value the pinned version as plain UTF-8 text (not Avro: a pin is not a
 *       release). A tombstone on {@code pin:<name>} unpins. Compaction keeps the latest pin per model, so an
 *       instance started later honours it too.</li>
 *   <li><b>Instance status</b>: key {@code status:<name>:<instance id>}, value {@code <version> <sha256>
 *       <epoch millis>} as UTF-8 text: the version an instance serves since when ({@link ModelStatusReporter}). A
 *       tombstone when the instance stops. Readers of releases skip these records.</li>
 * </ul>
 * Model names therefore may not contain ':' nor be {@code pin} or {@code status}; versions may not contain ':'.
 *
 * <h2>Sizes</h2>
 * The retina stack creates {@code models} with {@code max.message.bytes} 64 MiB (one partition, compacted);
 * publishers set {@code max.request.size} to {@link #MAX_RECORD_BYTES} and readers fetch that much per partition.
 * A release with ONNX bytes inline must fit (model + labels + preprocessing + golden set + Avro envelope); larger
 * models are published by URI ({@code file:} for a shared file system, {@code http(s):}), fetched by each
 * instance up to the import limit and checked against the release's sha256 like inline bytes.
 */
public final class ModelTopic {

    /** Default topic name. */
    public static final String DEFAULT_TOPIC = "models";
    /** Largest models-topic record the tools write and read: the stack's {@code max.message.bytes}. */
    public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;
    /** Key prefix of pin records. */
    public static final String PIN_PREFIX = "pin:";
    /** Key prefix of instance status records. */
    public static final String STATUS_PREFIX = "status:";

    private ModelTopic() {
    }

    /** A parsed record key. */
    public sealed interface Key permits ReleaseKey, PinKey, StatusKey {
    }

    public record ReleaseKey(String name, String version) implements Key {
    }

    public record PinKey(String name) implements Key {
    }

    public record StatusKey(String name, String instance) implements Key {
    }

    public static String releaseKey(String name, String version) {
        checkName(name);
        if (version.isBlank() || version.contains(":")) {
            throw new IllegalArgumentException("expected a non-blank model version without ':', found '" + version
                + "'");
        }
        return name + ":" + version;
    }

    public static String statusKey(String name, String instance) {
        checkName(name);
        if (instance == null || instance.isBlank()) {
            throw new IllegalArgumentException("expected a non-blank instance id, found '" + instance + "'");
        }
        return STATUS_PREFIX + name + ":" + instance;
    }

    public static String pinKey(String name) {
        checkName(name);
        return PIN_PREFIX + name;
    }

    /** Rejects names that would make keys ambiguous. */
    public static void checkName(String name) {
        if (name == null || name.isBlank() || name.contains(":") || name.equals("pin")
            || name.equals("status")) {
            throw new IllegalArgumentException("expected a model name that is not blank, has no ':' and is not "
                + "'pin' or 'status', found '" + name + "'");
        }
    }

    /** Parses a key; empty for keys that follow neither form. */
    public static Optional<Key> parseKey(byte[] key) {
        if (key == null) {
            return Optional.empty();
        }
        String k = new String(key, StandardCharsets.UTF_8);
        if (k.startsWith(STATUS_PREFIX)) {
            String rest = k.substring(STATUS_PREFIX.length());
            int colon = rest.indexOf(':');
            return colon <= 0 || colon == rest.length() - 1 ? Optional.empty()
                : Optional.of(new StatusKey(rest.substring(0, colon), rest.substring(colon + 1)));
        }
        if (k.startsWith(PIN_PREFIX)) {
            String name = k.substring(PIN_PREFIX.length());
            return name.isBlank() ? Optional.empty() : Optional.of(new PinKey(name));
        }
        int colon = k.indexOf(':');
        if (colon <= 0 || colon == k.length() - 1 || k.indexOf(':', colon + 1) >= 0) {
            return Optional.empty();
        }
        return Optional.of(new ReleaseKey(k.substring(0, colon), k.substring(colon + 1)));
    }

    /** The release's golden set as candidate samples (empty when it has none). */
    public static List<ModelCandidate.GoldenSample> goldenSet(ModelRelease release) {
        List<ModelCandidate.GoldenSample> out = new ArrayList<>();
        if (release.getGoldenSet() != null) {
            for (GoldenImage g : release.getGoldenSet()) {
                out.add(new ModelCandidate.GoldenSample(g.getImageId(), bytes(g.getData()), g.getExpectedLabel()));
            }
        }
        return out;
    }

    static byte[] bytes(java.nio.ByteBuffer buffer) {
        java.nio.ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
