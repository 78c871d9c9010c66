package dev.retina.streams;

/**
 * The application's configuration is unusable: an unknown setting, a value that does not parse or is out of range,
 * or a file that cannot be read. The message names the key, where the value came from and what was expected, so a
 * broken deployment stops at start with one clear line.
 */
public final class AppConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;

    public AppConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    public AppConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The offending setting, or {@code null} when the problem is not about one key (e.g. an unreadable file). */
    public String key() {
        return key;
    }
}
