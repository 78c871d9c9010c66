package dev.retina.cli;

import dev.retina.schemas.registry.SchemaRegistryClient;
import dev.retina.schemas.registry.WireFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code retina tail}: prints the records of any Retina topic, decoding Confluent-framed Avro with the
 * writer schema fetched from the registry: classifications, dead letters and images as a readable
 * table, or any record as one JSON object per line with {@code --json}. Byte fields (image data,
 * ONNX files, dead-letter payloads) are summarised by length, not printed.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the records of a topic: classifications, dead letters and images as a table, anything as JSON lines.")
public final class TailCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(names = {"-t", "--topic"}, defaultValue = "${env:RETINA_OUTPUT_TOPIC:-image-classifications}",
            description = "Topic to read (default: ${DEFAULT-VALUE}); e.g. images-dlq for dead letters.")
    String topic;

    @Option(names = "--json", description = "One JSON object per record instead of the table.")
    boolean json;

    @Option(names = "--from-beginning", description = "Start at the earliest offset instead of the end.")
    boolean fromBeginning;

    @Option(names = {"-n", "--max", "--max-records"}, defaultValue = "0",
            description = "Stop after this many records (0 = no limit).")
    long maxRecords;

    @Option(names = "--timeout", defaultValue = "0s",
            description = "Stop when no record arrives for this long, e.g. 30s or PT1M (0s = wait forever).")
    String timeout;

    @Option(names = "--group", description = "Consumer group id (default: a new one each run, committing nothing).")
    String group;

    @Override
    public Integer call() {
        Duration idleLimit = Durations.parse("--timeout", timeout, spec);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group != null ? group : "retina-tail-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, group != null);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        SchemaRegistryClient registry = SchemaRegistryClient.fromKafkaConfig(config);
        Map<Integer, GenericDatumReader<Object>> readers = new HashMap<>();

        long seen = 0;
        Instant lastRecord = Instant.now();
        TailTable table = new TailTable(out);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (maxRecords == 0 || seen < maxRecords) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (!idleLimit.isZero() && Duration.between(lastRecord, Instant.now()).compareTo(idleLimit) > 0) {
                        break;
                    }
                    continue;
                }
                lastRecord = Instant.now();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Object value = decode(r, registry, readers);
                    out.println(json ? renderJson(r, value) : table.row(r, value));
                    out.flush();
                    if (maxRecords != 0 && ++seen >= maxRecords) {
                        break;
                    }
                }
            }
        }
        err.flush();
        return 0;
    }

    /** The record's value as Avro generic data, or an {@link Undecodable} saying why it is not. */
    private static Object decode(ConsumerRecord<byte[], byte[]> r, SchemaRegistryClient registry,
            Map<Integer, GenericDatumReader<Object>> readers) {
        if (r.value() == null) {
            return null;
        }
        try {
            int id = WireFormat.readSchemaId(r.value());
            GenericDatumReader<Object> reader = readers.computeIfAbsent(id,
                    i -> new GenericDatumReader<>(registry.getById(i)));
            return reader.read(null, DecoderFactory.get()
                    .binaryDecoder(r.value(), WireFormat.HEADER_SIZE, r.value().length - WireFormat.HEADER_SIZE, null));
        } catch (IOException | RuntimeException e) {
            return new Undecodable(e.getMessage(), r.value().length);
        }
    }

    private static String renderJson(ConsumerRecord<byte[], byte[]> r, Object value) {
        StringBuilder line = new StringBuilder(256);
        line.append("{\"partition\":").append(r.partition()).append(",\"offset\":").append(r.offset())
                .append(",\"key\":");
        Json.string(line, key(r));
        line.append(",\"value\":");
        if (value instanceof Undecodable u) {
            line.append("{\"undecodable\":");
            Json.string(line, u.reason());
            line.append(",\"bytes\":").append(u.bytes()).append('}');
        } else {
            Json.value(line, value);
        }
        return line.append('}').toString();
    }

    static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A value that is not a Confluent-framed Avro record this registry knows. */
    record Undecodable(String reason, int bytes) {
    }

    /** Minimal JSON rendering of Avro generic data; bytes are summarised by length. */
    static final class Json {
        private Json() {
        }

        static void value(StringBuilder out, Object v) {
            if (v == null) {
                out.append("null");
            } else if (v instanceof GenericRecord rec) {
                out.append('{');
                boolean first = true;
                for (Schema.Field f : rec.getSchema().getFields()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(out, f.name());
                    out.append(':');
                    value(out, rec.get(f.pos()));
                }
                out.append('}');
            } else if (v instanceof Map<?, ?> map) {
                out.append('{');
                boolean first = true;
                for (var e : map.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(out, String.valueOf(e.getKey()));
                    out.append(':');
                    value(out, e.getValue());
                }
                out.append('}');
            } else if (v instanceof List<?> list) {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    value(out, list.get(i));
                }
                out.append(']');
            } else if (v instanceof ByteBuffer buf) {
                out.append("{\"bytes\":").append(buf.remaining()).append('}');
            } else if (v instanceof GenericFixed fixed) {
                out.append("{\"bytes\":").append(fixed.bytes().length).append('}');
            } else if (v instanceof Number || v instanceof Boolean) {
                String s = v.toString();
                out.append(s.equals("NaN") || s.contains("Infinity") ? "null" : s);
            } else if (v instanceof GenericEnumSymbol<?> || v instanceof CharSequence) {
                string(out, v.toString());
            } else {
                string(out, v.toString());
            }
        }

        static void string(StringBuilder out, String s) {
            if (s == null) {
                out.append("null");
                return;
            }
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
