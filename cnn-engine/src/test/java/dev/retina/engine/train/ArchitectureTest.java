package dev.retina.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ArchitectureTest {

    @Test
    void parsesLayersWithDefaults() {
        Architecture a = Architecture.parse("conv:16:5:2, relu ,pool:2,conv:8:3:1:0,pool:3:2,flatten,dense:10");
        assertThat(a.layers()).containsExactly(new LayerSpec.Conv(16, 5, 2, 2), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, 2), new LayerSpec.Conv(8, 3, 1, 0), new LayerSpec.MaxPool(3, 2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10));
        assertThat(Architecture.parse(a.toString())).isEqualTo(a);
    }

    @Test
    void presetsParse() {
        for (String name : Architecture.PRESETS.keySet()) {
            assertThat(Architecture.parse(name).layers()).isNotEmpty();
        }
    }

    @Test
    void networkAppendsFlattenAndClassifier() {
        Network n = Network.create(3, 64, 64, Architecture.parse("shapes-s"), 8, 1);
        assertThat(n.architecture().toString()).endsWith("pool:2:2,flatten,dense:8");
        assertThat(n.parameterCount()).isEqualTo(
                12 * 75 + 12 + 24 * 108 + 24 + 32 * 216 + 32 + 8 * 32 * 4 * 4 + 8);
        assertThat(n.macsPerImage()).isEqualTo(12L * 75 * 32 * 32 + 24L * 108 * 16 * 16 + 32L * 216 * 8 * 8 + 8 * 512);
        // LeNet-5's widths on 28x28: 61,706 parameters, like the original.
        Network lenet = Network.create(1, 28, 28, Architecture.parse("lenet"), 10, 1);
        assertThat(lenet.parameterCount()).isEqualTo(156 + 2416 + 48120 + 10164 + 850);
    }

    @Test
    void explainsBadArchitectures() {
        assertThatThrownBy(() -> Architecture.parse("conv:16")).hasMessageContaining("layer 'conv:16'")
                .hasMessageContaining("expected one of conv:OUT:K");
        assertThatThrownBy(() -> Architecture.parse("conv:a:3")).hasMessageContaining("expected integer arguments");
        assertThatThrownBy(() -> Architecture.parse("conv:4:3:1:3")).hasMessageContaining("pad must be in [0, kernel)");
        assertThatThrownBy(() -> Architecture.parse("softmax")).hasMessageContaining("layer 'softmax'");
        assertThatThrownBy(() -> Architecture.parse("")).hasMessageContaining("found nothing");
        assertThatThrownBy(() -> Network.create(3, 8, 8, Architecture.parse("dense:5"), 4, 1))
                .hasMessageContaining("ends in dense:5 but the data has 4 classes");
        assertThatThrownBy(() -> Network.create(3, 4, 4, Architecture.parse("pool:5"), 4, 1))
                .hasMessageContaining("window 5 is larger than its input [3, 4, 4]");
        assertThatThrownBy(() -> Network.create(3, 4, 4, Architecture.parse("dense:5,flatten"), 4, 1))
                .hasMessageContaining("flatten expects a [C, H, W] input");
    }
}
