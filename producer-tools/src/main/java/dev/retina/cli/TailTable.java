package dev.retina.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The readable form of {@code retina tail}: one row per record, with a header each time the kind of
 * record changes. Classifications show the top-1 label, score, model version and latency; dead
 * letters their reason, stage and original position; images their id, source, type, size and label.
 * Records of other schemas fall back to a short summary.
 */
final class TailTable {

    private final PrintWriter out;
    private String header;

    TailTable(PrintWriter out) {
        this.out = out;
    }

    /** The row for one record; prints the header first when the record kind changes. */
    String row(ConsumerRecord<byte[], byte[]> r, Object value) {
        String position = r.partition() + "@" + r.offset();
        if (value instanceof GenericRecord rec) {
            switch (rec.getSchema().getName()) {
                case "ClassificationResult" -> {
                    header(String.format("%-36s  %-14s %6s  %-16s %9s  %s", "IMAGE", "TOP-1", "SCORE", "MODEL",
                            "LATENCY", "INPUT"));
                    List<?> topK = (List<?>) rec.get("topK");
                    GenericRecord top = topK.isEmpty() ? null : (GenericRecord) topK.get(0);
                    GenericRecord model = (GenericRecord) rec.get("model");
                    GenericRecord timings = (GenericRecord) rec.get("timings");
                    GenericRecord lineage = (GenericRecord) rec.get("lineage");
                    return String.format(Locale.ROOT, "%-36s  %-14s %6.3f  %-16s %7.1fms  %s-%s@%s",
                            rec.get("imageId"), top == null ? "-" : top.get("label"),
                            top == null ? 0.0 : ((Number) top.get("score")).doubleValue(),
                            model.get("name") + ":" + model.get("version"),
                            ((Number) timings.get("endToEndMillis")).doubleValue(),
                            lineage.get("topic"), lineage.get("partition"), lineage.get("offset"));
                }
                case "DeadLetter" -> {
                    header(String.format("%-18s %-11s %-22s %s", "REASON", "STAGE", "ORIGINAL", "MESSAGE"));
                    return String.format(Locale.ROOT, "%-18s %-11s %-22s %s", rec.get("reason"), rec.get("stage"),
                            rec.get("originalTopic") + "-" + rec.get("originalPartition") + "@"
                                    + rec.get("originalOffset"),
                            abbreviate(String.valueOf(rec.get("message")), 120));
                }
                case "ImageRecord" -> {
                    header(String.format("%-36s  %-16s %-11s %9s  %-12s %s", "IMAGE", "SOURCE", "TYPE", "BYTES",
                            "LABEL", "AT"));
                    return String.format(Locale.ROOT, "%-36s  %-16s %-11s %9d  %-12s %s", rec.get("imageId"),
                            rec.get("source"), rec.get("contentType"),
                            ((java.nio.ByteBuffer) rec.get("data")).remaining(),
                            rec.get("label") == null ? "-" : rec.get("label"), position);
                }
                default -> {
                    header("RECORD");
                    return position + " " + rec.getSchema().getName() + " key=" + TailCommand.key(r);
                }
            }
        }
        header("RECORD");
        if (value instanceof TailCommand.Undecodable u) {
            return position + " undecodable (" + u.bytes() + " bytes): " + u.reason();
        }
        return position + " key=" + TailCommand.key(r) + " value=" + (value == null ? "null (tombstone)" : value);
    }

    private void header(String text) {
        if (!text.equals(header)) {
            header = text;
            out.println(text);
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
