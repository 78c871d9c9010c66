package dev.retina.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.engine.tensor.Shape;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Output-size formulas and broadcasting rules. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class GeometryTest {

    @Test
    void convOutputSize() {
        // ResNet stem: 224, k7, s2, p3 -> 112.
        assertThat(ConvGeometry.outputSize(224, 7, 2, 3, 3, 1)).isEqualTo(112);
        // 3x3 same conv keeps the size; dilation 2 needs pad 2 to do so.
        assertThat(ConvGeometry.outputSize(17, 3, 1, 1, 1, 1)).isEqualTo(17);
        assertThat(ConvGeometry.outputSize(17, 3, 1, 2, 2, 2)).isEqualTo(17);
        // Asymmetric padding counts both sides: floor((5 + 0 + 1 - 3) / 2) + 1 = 2.
        assertThat(ConvGeometry.outputSize(5, 3, 2, 0, 1, 1)).isEqualTo(2);
    }

    @Test
    void poolOutputSizeFloorAndCeil() {
        // SqueezeNet: 111, k3, s2 -> 55 either way; 54 -> 26 floor, 27 ceil.
        assertThat(PoolGeometry.outputSize(111, 3, 2, 0, 0, 1, false)).isEqualTo(55);
        assertThat(PoolGeometry.outputSize(111, 3, 2, 0, 0, 1, true)).isEqualTo(55);
        assertThat(PoolGeometry.outputSize(54, 3, 2, 0, 0, 1, false)).isEqualTo(26);
        assertThat(PoolGeometry.outputSize(54, 3, 2, 0, 0, 1, true)).isEqualTo(27);
        // Ceil mode never starts a window in the end padding: 4, k2, s2, pad 1+1: ceil gives 3, last
        // window would start at 2*2 - 1 = 3 < 4 + 1, kept.
        assertThat(PoolGeometry.outputSize(4, 2, 2, 1, 1, 1, true)).isEqualTo(3);
        // 5, k1, s2, pad end 1: ceil((5 + 1 - 1) / 2) + 1 = 4, but window 3 starts at 6 >= 5 -> 3.
        assertThat(PoolGeometry.outputSize(5, 1, 2, 0, 1, 1, true)).isEqualTo(3);
    }

    @Test
    void broadcastShapes() {
        assertThat(Broadcast.outputShape(Shape.of(8, 1, 6, 1), Shape.of(7, 1, 5))).isEqualTo(Shape.of(8, 7, 6, 5));
        assertThat(Broadcast.outputShape(Shape.of(3), Shape.scalar())).isEqualTo(Shape.of(3));
        assertThat(Broadcast.outputShape(Shape.of(2, 3), Shape.of(2))).isNull();
        Broadcast b = Broadcast.of(Shape.of(2, 1), Shape.of(3));
        assertThat(b.outDims()).containsExactly(2, 3);
        assertThat(b.aStrides()).containsExactly(1, 0);
        assertThat(b.bStrides()).containsExactly(0, 1);
    }

    @Test
    void providerHonoursTheSystemPropertyNames() {
        assertThat(KernelProvider.byName("scalar")).isInstanceOf(ScalarKernels.class);
        assertThat(KernelProvider.byName(" FAST ")).isInstanceOf(FastKernels.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KernelProvider.byName("gpu"))
                .hasMessageContaining("found 'gpu'");
    }
}
