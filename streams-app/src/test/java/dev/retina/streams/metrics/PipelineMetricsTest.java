package dev.retina.streams.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.ErrorReason;
import dev.retina.streams.model.ModelIdentity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipelineMetricsTest {

    private static final ModelIdentity V1 = new ModelIdentity("shapes", "1", "a".repeat(64));
    private static final ModelIdentity V2 = new ModelIdentity("shapes", "2", "b".repeat(64));

    @Test
    void prometheusExpositionNamesEveryMeter() {
        try (PipelineMetrics m = PipelineMetrics.prometheus("node-1")) {
            m.modelServed(V1);
            m.classified(V1, 2.0, 5.0, 40.0);
            m.classified(V1, 3.0, 6.0, 50.0);
            m.deadLettered(ErrorReason.TIMEOUT);
            String text = m.scrape();
            assertThat(text)
                .contains("retina_images_classified_total{instance=\"node-1\",model=\"shapes\",version=\"1\"} 2.0")
                .contains("retina_dead_letters_total{instance=\"node-1\",reason=\"TIMEOUT\"} 1.0")
                .contains("retina_dead_letters_total{instance=\"node-1\",reason=\"CORRUPT_IMAGE\"} 0.0")
                .contains("retina_stage_seconds_count{instance=\"node-1\",stage=\"inference\"} 2")
                .contains("retina_stage_seconds_bucket{")
                .contains("retina_model_info{instance=\"node-1\",model=\"shapes\",sha256=\"" + "a".repeat(64)
                    + "\",version=\"1\"} 1");
            assertThat(m.registry().get("retina.stage").tag("stage", "decode").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(5.0);
        }
    }

    @Test
    void aNewModelVersionTakesOverTheInfoGauge() {
        try (PipelineMetrics m = PipelineMetrics.prometheus("node-1")) {
            m.modelServed(V1);
            m.modelServed(V1);
            m.modelServed(V2);
            m.classified(V2, 1, 1, 1);
            assertThat(m.registry().get("retina.model.info").tag("version", "1").gauge().value()).isZero();
            assertThat(m.registry().get("retina.model.info").tag("version", "2").gauge().value()).isEqualTo(1.0);
            assertThat(m.classifiedBy(V1)).isZero();
            assertThat(m.classifiedBy(V2)).isEqualTo(1.0);
        }
    }

    @Test
    void negativeDurationsCountAsZero() {
        try (PipelineMetrics m = PipelineMetrics.prometheus("node-1")) {
            m.classified(V1, -1, 0, 0);
            assertThat(m.registry().get("retina.stage").tag("stage", "decode").timer().max(TimeUnit.NANOSECONDS))
                .isZero();
        }
    }
}
