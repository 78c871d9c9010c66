package dev.retina.schemas.registry;

/**
 * Confluent's default subject naming: the schema of a topic's values is registered under {@code <topic>-value},
 * the schema of its keys under {@code <topic>-key}.
 */
public final class TopicNameStrategy {

    private TopicNameStrategy() {
    }

    /** The subject for a topic's keys or values. */
    public static String subject(String topic, boolean isKey) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException(
                "A topic name is needed to derive the subject (TopicNameStrategy), found '" + topic + "'");
        }
        return topic + (isKey ? "-key" : "-value");
    }
}
