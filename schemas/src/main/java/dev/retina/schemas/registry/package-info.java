/**
 * Speaking the Confluent Schema Registry protocol without Confluent's libraries.
 *
 * <ul>
 *   <li>{@link dev.retina.schemas.registry.SchemaRegistryClient}: the REST client (register, lookup, fetch by id,
 *       latest, compatibility, config), configured by {@link dev.retina.schemas.registry.SchemaRegistryConfig} or a
 *       Kafka-style map ({@link dev.retina.schemas.registry.AvroSerdeConfig}); failures are
 *       {@link dev.retina.schemas.registry.SchemaRegistryException}s with Confluent's error codes.</li>
 *   <li>{@link dev.retina.schemas.registry.AvroSerde}: Kafka serde for generated classes in the wire format of
 *       {@link dev.retina.schemas.registry.WireFormat} (magic 0, 4-byte big-endian id, Avro binary), subjects by
 *       {@link dev.retina.schemas.registry.TopicNameStrategy}; poison bytes raise
 *       {@link dev.retina.schemas.registry.WireFormatException} with a reason.</li>
 *   <li>{@link dev.retina.schemas.registry.EmbeddedSchemaRegistry}: an in-process registry with the same REST API,
 *       compatibility checks by {@link dev.retina.schemas.registry.CompatibilityLevel}, state in a
 *       {@link dev.retina.schemas.registry.SchemaStore} (in memory, or the compacted Kafka topic
 *       {@code _schemas} via {@link dev.retina.schemas.registry.KafkaSchemaStore}).</li>
 * </ul>
 */
package dev.retina.schemas.registry;
