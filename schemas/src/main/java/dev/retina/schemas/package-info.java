/**
 * Retina's data contracts. The Avro schemas in {@code src/main/avro} generate the SpecificRecord classes
 * of {@code dev.retina.schemas.avro} (ImageRecord, ClassificationResult, FeatureStats, DeadLetter,
 * ModelRelease and their nested types); {@link dev.retina.schemas.AvroTrust} lets Avro load them
 * without a system property. Every released schema version is kept as a test fixture and must stay
 * readable (BACKWARD_TRANSITIVE).
 */
package dev.retina.schemas;
