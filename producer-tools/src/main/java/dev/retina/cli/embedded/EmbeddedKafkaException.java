package dev.retina.cli.embedded;

/**
 * An embedded Kafka cluster could not be started, stopped or used. {@link #reason()} says which step
 * failed; the message names the node, port or directory involved and the underlying cause.
 */
public final class EmbeddedKafkaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, as a stable code callers can branch on. */
    public enum Reason {
        /** A listener port (given, or remembered in a data directory) is already bound by someone else. */
        PORT_IN_USE,
        /** The data directory cannot be created, read or written, or holds something that is not ours. */
        BAD_DATA_DIR,
        /** The data directory was created for a different cluster layout (node count, roles, cluster id). */
        LAYOUT_MISMATCH,
        /** Storage formatting (meta.properties, bootstrap metadata) failed. */
        FORMAT_FAILED,
        /** The resulting broker or controller configuration was rejected by Kafka. */
        INVALID_CONFIG,
        /** A node failed while starting, or the cluster did not become ready in time. */
        STARTUP_FAILED,
        /** A node failed to shut down cleanly. */
        SHUTDOWN_FAILED,
        /** An operation named a node id that does not exist or has no broker role. */
        UNKNOWN_NODE
    }

    private final Reason reason;

    public EmbeddedKafkaException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public EmbeddedKafkaException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message + (cause == null ? "" : " (cause: " + describe(cause) + ")"), cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }
}
