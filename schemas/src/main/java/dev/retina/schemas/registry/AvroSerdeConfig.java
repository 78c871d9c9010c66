package dev.retina.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration table of the Avro serde and of a registry client built from a Kafka-style map. Key names follow
 * Confluent's serializers, so an existing producer, consumer or Streams configuration works unchanged.
 * Unknown keys are ignored.
 */
public final class AvroSerdeConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String SSL_PROTOCOL = "schema.registry.ssl.protocol";
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String MAX_RETRIES = "schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String CACHE_CAPACITY = "schema.registry.cache.capacity";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String SPECIFIC_KEY_TYPE = "specific.avro.key.type";
    public static final String SPECIFIC_VALUE_TYPE = "specific.avro.value.type";

    private static final String USER_INFO = "USER_INFO";
    private static final String URL = "URL";

    /** The table: key, type, default, validator, importance and documentation of every setting. */
    public static final ConfigDef CONFIG = new ConfigDef()
        .define(SCHEMA_REGISTRY_URL, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
            "Comma-separated base URLs of the schema registry, e.g. http://localhost:8081.")
        .define(BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, USER_INFO,
            ConfigDef.ValidString.in(USER_INFO, URL), Importance.MEDIUM,
            "Where basic-auth credentials come from: USER_INFO (basic.auth.user.info) or URL (user:password@ in "
                + "the registry URL).")
        .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
            "user:password for HTTP basic authentication against the registry.")
        .define(SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.LOW,
            "Alias of basic.auth.user.info.")
        .define(TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
            "Trust store file for https registry URLs.")
        .define(TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the trust store.")
        .define(TRUSTSTORE_TYPE, Type.STRING, "PKCS12", Importance.LOW, "Trust store type (PKCS12 or JKS).")
        .define(KEYSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
            "Key store file with the client certificate, for registries that require mutual TLS.")
        .define(KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the key store.")
        .define(KEYSTORE_TYPE, Type.STRING, "PKCS12", Importance.LOW, "Key store type (PKCS12 or JKS).")
        .define(KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW,
            "Password of the private key in the key store; defaults to the key store password.")
        .define(SSL_PROTOCOL, Type.STRING, "TLS", Importance.LOW, "SSLContext protocol for https URLs.")
        .define(CONNECT_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Connect timeout of registry requests, in milliseconds.")
        .define(REQUEST_TIMEOUT_MS, Type.INT, 30_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Timeout of one registry request, in milliseconds.")
        .define(MAX_RETRIES, Type.INT, 3, ConfigDef.Range.atLeast(0), Importance.LOW,
            "Retries of a registry request after a 5xx answer or a connection failure.")
        .define(RETRY_BACKOFF_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Wait before the first retry, in milliseconds; doubled for every further retry.")
        .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Upper bound of the wait between retries, in milliseconds.")
        .define(CACHE_CAPACITY, Type.INT, 1000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Entries in each of the client's caches (schema ids, schemas).")
        .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
            "Whether the serializer registers the record's schema; if false the schema must already be "
                + "registered under the subject.")
        .define(SPECIFIC_KEY_TYPE, Type.CLASS, null, Importance.LOW,
            "SpecificRecord class the key deserializer reads into, when it is created by class name.")
        .define(SPECIFIC_VALUE_TYPE, Type.CLASS, null, Importance.LOW,
            "SpecificRecord class the value deserializer reads into, when it is created by class name.");

    public AvroSerdeConfig(Map<?, ?> originals) {
        super(CONFIG, originals, false);
    }

    public boolean autoRegisterSchemas() {
        return getBoolean(AUTO_REGISTER_SCHEMAS);
    }

    /** The configured reader class for keys or values, or null when none is set. */
    public Class<?> specificType(boolean isKey) {
        return getClass(isKey ? SPECIFIC_KEY_TYPE : SPECIFIC_VALUE_TYPE);
    }

    /** The registry client settings of this configuration. */
    public SchemaRegistryConfig registryConfig() {
        List<URI> urls = new ArrayList<>();
        String userInfoFromUrl = null;
        for (String raw : getList(SCHEMA_REGISTRY_URL)) {
            URI uri;
            try {
                uri = new URI(raw.trim());
            } catch (URISyntaxException e) {
                throw new ConfigException(SCHEMA_REGISTRY_URL, raw, "not a valid URI: " + e.getMessage());
            }
            if (uri.getUserInfo() != null) {
                userInfoFromUrl = uri.getUserInfo();
                try {
                    uri = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(),
                        uri.getQuery(), uri.getFragment());
                } catch (URISyntaxException e) {
                    throw new ConfigException(SCHEMA_REGISTRY_URL, raw, "cannot strip the user info: " + e);
                }
            }
            urls.add(uri);
        }
        String userInfo;
        if (URL.equals(getString(BASIC_AUTH_CREDENTIALS_SOURCE))) {
            if (userInfoFromUrl == null) {
                throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, URL,
                    "expected user:password@ in " + SCHEMA_REGISTRY_URL + ", found none");
            }
            userInfo = userInfoFromUrl;
        } else {
            userInfo = password(BASIC_AUTH_USER_INFO);
            if (userInfo == null) {
                userInfo = password(SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO);
            }
        }
        SchemaRegistryConfig.Builder builder = SchemaRegistryConfig.builder()
            .setUrls(urls)
            .optBasicAuthUserInfo(userInfo)
            .optSslContext(sslContext())
            .optConnectTimeout(Duration.ofMillis(getInt(CONNECT_TIMEOUT_MS)))
            .optRequestTimeout(Duration.ofMillis(getInt(REQUEST_TIMEOUT_MS)))
            .optMaxRetries(getInt(MAX_RETRIES))
            .optRetryBackoff(Duration.ofMillis(getLong(RETRY_BACKOFF_MS)),
                Duration.ofMillis(getLong(RETRY_BACKOFF_MAX_MS)))
            .optCacheCapacity(getInt(CACHE_CAPACITY));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid schema registry settings: " + e.getMessage());
        }
    }

    private String password(String key) {
        Password value = getPassword(key);
        return value == null ? null : value.value();
    }

    private SSLContext sslContext() {
        String trustLocation = getString(TRUSTSTORE_LOCATION);
        String keyLocation = getString(KEYSTORE_LOCATION);
        if (trustLocation == null && keyLocation == null) {
            return null;
        }
        try {
            TrustManagerFactory tmf = null;
            if (trustLocation != null) {
                KeyStore trust = load(TRUSTSTORE_LOCATION, trustLocation, getString(TRUSTSTORE_TYPE),
                    password(TRUSTSTORE_PASSWORD));
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (keyLocation != null) {
                String storePassword = password(KEYSTORE_PASSWORD);
                KeyStore keys = load(KEYSTORE_LOCATION, keyLocation, getString(KEYSTORE_TYPE), storePassword);
                String keyPassword = password(KEY_PASSWORD);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String effective = keyPassword != null ? keyPassword : storePassword;
                kmf.init(keys, effective == null ? new char[0] : effective.toCharArray());
            }
            SSLContext context = SSLContext.getInstance(getString(SSL_PROTOCOL));
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(),
                null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(String key, String location, String type, String password) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(key, location, "cannot load the " + type + " store: " + e);
        }
    }
}
