package dev.retina.streams.dashboard;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.retina.streams.dashboard.Views.GroupMember;
import dev.retina.streams.dashboard.Views.Instance;
import dev.retina.streams.dashboard.Views.StreamThread;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.TaskMetadata;

/**
 * This instance's stream threads and their partitions ({@link KafkaStreams#metadataForLocalThreads()}), and the
 * other members of the application's consumer group, described by the group coordinator now and then without
 * waiting for the answer (the last answer is shown).
 */
final class InstanceView implements AutoCloseable {

    private final String instanceId;
    private final String applicationId;
    private final Admin admin;
    private final AtomicReference<List<GroupMember>> members = new AtomicReference<>(List.of());
    private final AtomicReference<String> groupNote = new AtomicReference<>("group not described yet");
    private volatile KafkaStreams streams;

    /** @param admin describes the consumer group; null when members are not shown */
    InstanceView(String instanceId, String applicationId, Admin admin) {
        this.instanceId = instanceId;
        this.applicationId = applicationId;
        this.admin = admin;
        if (admin == null) {
            groupNote.set("group members are not read by this instance");
        }
    }

    void attach(KafkaStreams kafkaStreams) {
        this.streams = kafkaStreams;
    }

    /** Asks the coordinator for the group's members; the answer arrives later on the admin client's thread. */
    void refreshGroup() {
        if (admin == null) {
            return;
        }
        admin.describeConsumerGroups(List.of(applicationId), new DescribeConsumerGroupsOptions().timeoutMs(5000))
            .all().whenComplete((groups, error) -> {
                if (error != null) {
                    groupNote.set("group description failed: " + error.getMessage());
                    return;
                }
                ConsumerGroupDescription group = groups.get(applicationId);
                members.set(group == null ? List.of() : members(group.members()));
                groupNote.set(group == null ? "group " + applicationId + " not found"
                    : "group state " + group.groupState());
            });
    }

    private static List<GroupMember> members(Collection<MemberDescription> described) {
        List<GroupMember> out = new ArrayList<>();
        for (MemberDescription m : described) {
            out.add(new GroupMember(m.clientId(), m.host(), partitions(m.assignment().topicPartitions())));
        }
        out.sort((a, b) -> a.clientId().compareTo(b.clientId()));
        return out;
    }

    Instance view() {
        KafkaStreams s = streams;
        List<StreamThread> threads = new ArrayList<>();
        String state = "STARTING";
        if (s != null) {
            state = s.state().name();
            for (ThreadMetadata t : s.metadataForLocalThreads()) {
                List<String> tasks = new ArrayList<>();
                List<TopicPartition> active = new ArrayList<>();
                for (TaskMetadata task : t.activeTasks()) {
                    tasks.add(task.taskId().toString());
                    active.addAll(task.topicPartitions());
                }
                List<TopicPartition> standby = new ArrayList<>();
                for (TaskMetadata task : t.standbyTasks()) {
                    standby.addAll(task.topicPartitions());
                }
                tasks.sort(null);
                threads.add(new StreamThread(t.threadName(), t.threadState(), tasks, partitions(active),
                    partitions(standby)));
            }
            threads.sort((a, b) -> a.name().compareTo(b.name()));
        }
        return new Instance(instanceId, applicationId, state, threads, members.get(), groupNote.get());
    }

    private static List<String> partitions(Collection<TopicPartition> partitions) {
        return partitions.stream()
            .sorted((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()))
            .map(p -> p.topic() + "-" + p.partition())
            .toList();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(5));
        }
    }
}
