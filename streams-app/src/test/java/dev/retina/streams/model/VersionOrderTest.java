package dev.retina.streams.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VersionOrderTest {

    @Test
    void digitRunsCompareAsNumbers() {
        List<String> versions = new ArrayList<>(List.of("10", "2", "1.10", "1.9", "1.0.1", "1.0", "100000000000000000001",
            "1.beta", "1.2"));
        versions.sort(VersionOrder.INSTANCE);
        assertThat(versions).containsExactly("1.0", "1.0.1", "1.2", "1.9", "1.10", "1.beta", "2", "10",
            "100000000000000000001");
    }

    @Test
    void leadingZerosStayDistinctAndTheOrderIsConsistentWithEquals() {
        assertThat(VersionOrder.INSTANCE.compare("7", "007")).isNotZero();
        assertThat(Integer.signum(VersionOrder.INSTANCE.compare("7", "007")))
            .isEqualTo(-Integer.signum(VersionOrder.INSTANCE.compare("007", "7")));
        assertThat(VersionOrder.INSTANCE.compare("v3", "v3")).isZero();
        assertThat(VersionOrder.INSTANCE.compare("v3", "v12")).isNegative();
    }
}
