package dev.retina.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * Settings of a {@link SchemaRegistryClient}. Build one with {@link #builder()} or from a Kafka-style
 * configuration map with {@link #fromKafkaConfig(Map)} (keys documented in {@link AvroSerdeConfig}).
 *
 * @param urls              registry base URLs; requests go to the first, and move on to the next when one is
 *                          unreachable
 * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null for none
 * @param sslContext        TLS context for https URLs (trust store, client key), or null for the JDK default
 * @param connectTimeout    TCP/TLS connect timeout
 * @param requestTimeout    timeout of one HTTP request, from sending to the complete answer
 * @param maxRetries        how many times a request is repeated after a 5xx answer or a connection failure
 * @param retryBackoff      wait before the first retry; doubled for each further retry
 * @param maxRetryBackoff   upper bound of the wait between retries
 * @param cacheCapacity     entries kept in each of the client's caches (ids by subject and schema, schemas by id)
 */
public record SchemaRegistryConfig(List<URI> urls, String basicAuthUserInfo, SSLContext sslContext,
                                   Duration connectTimeout, Duration requestTimeout, int maxRetries,
                                   Duration retryBackoff, Duration maxRetryBackoff, int cacheCapacity) {

    public SchemaRegistryConfig {
        Objects.requireNonNull(urls, "urls");
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("At least one schema registry URL is required, found none");
        }
        for (URI url : urls) {
            String scheme = url.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || url.getHost() == null) {
                throw new IllegalArgumentException(
                    "Schema registry URL must be http(s)://host[:port][/path], found '" + url + "'");
            }
        }
        urls = List.copyOf(urls);
        if (basicAuthUserInfo != null && basicAuthUserInfo.indexOf(':') < 0) {
            throw new IllegalArgumentException("Basic auth user info must be 'user:password', found no ':'");
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(retryBackoff, "retryBackoff");
        requirePositive(maxRetryBackoff, "maxRetryBackoff");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, found " + maxRetries);
        }
        if (cacheCapacity < 1) {
            throw new IllegalArgumentException("cacheCapacity must be >= 1, found " + cacheCapacity);
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, found " + d);
        }
    }

    /** A config with the given URL and default everything else. */
    public static SchemaRegistryConfig of(String url) {
        return builder().setUrls(url).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the registry settings from a Kafka client/serde configuration map ({@code schema.registry.url},
     * {@code basic.auth.user.info}, {@code schema.registry.ssl.truststore.location}, ...; see
     * {@link AvroSerdeConfig}). Unknown keys are ignored, so a whole producer or Streams config can be passed.
     *
     * @throws org.apache.kafka.common.config.ConfigException when a value is missing or of the wrong type, or a
     *                                                        trust/key store cannot be loaded
     */
    public static SchemaRegistryConfig fromKafkaConfig(Map<String, ?> config) {
        return new AvroSerdeConfig(config).registryConfig();
    }

    /** Builder: {@code set...} for required values, {@code opt...} for optional ones; validated by {@link #build()}. */
    public static final class Builder {
        private final List<URI> urls = new ArrayList<>();
        private String basicAuthUserInfo;
        private SSLContext sslContext;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxRetries = 3;
        private Duration retryBackoff = Duration.ofMillis(100);
        private Duration maxRetryBackoff = Duration.ofSeconds(5);
        private int cacheCapacity = 1000;

        private Builder() {
        }

        /** Registry base URLs, comma-separated (e.g. {@code http://localhost:8081}). Required. */
        public Builder setUrls(String commaSeparatedUrls) {
            urls.clear();
            if (commaSeparatedUrls != null) {
                for (String part : commaSeparatedUrls.split(",")) {
                    String trimmed = part.trim();
                    if (!trimmed.isEmpty()) {
                        try {
                            urls.add(URI.create(trimmed));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(
                                "Schema registry URL is not a valid URI: '" + trimmed + "'", e);
                        }
                    }
                }
            }
            return this;
        }

        public Builder setUrls(List<URI> list) {
            urls.clear();
            urls.addAll(list);
            return this;
        }

        /** {@code user:password} for HTTP basic authentication. */
        public Builder optBasicAuthUserInfo(String userInfo) {
            this.basicAuthUserInfo = userInfo;
            return this;
        }

        public Builder optSslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        public Builder optConnectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder optRequestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Retries after a 5xx answer or a connection failure; 0 disables retrying. */
        public Builder optMaxRetries(int retries) {
            this.maxRetries = retries;
            return this;
        }

        /** Initial and maximum wait between retries (exponential backoff). */
        public Builder optRetryBackoff(Duration initial, Duration max) {
            this.retryBackoff = initial;
            this.maxRetryBackoff = max;
            return this;
        }

        public Builder optCacheCapacity(int capacity) {
            this.cacheCapacity = capacity;
            return this;
        }

        public SchemaRegistryConfig build() {
            return new SchemaRegistryConfig(urls, basicAuthUserInfo, sslContext, connectTimeout, requestTimeout,
                maxRetries, retryBackoff, maxRetryBackoff, cacheCapacity);
        }
    }

    @Override
    public String toString() {
        // Never print the credentials.
        return "SchemaRegistryConfig[urls=" + urls + ", basicAuth=" + (basicAuthUserInfo != null)
            + ", tls=" + (sslContext != null) + ", connectTimeout=" + connectTimeout + ", requestTimeout="
            + requestTimeout + ", maxRetries=" + maxRetries + ", retryBackoff=" + retryBackoff + ".."
            + maxRetryBackoff + ", cacheCapacity=" + cacheCapacity + "]";
    }
}
