package dev.retina.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.retina.engine.ModelLoadException;
import dev.retina.engine.kernel.Activation;
import dev.retina.engine.kernel.ScalarKernels;
import dev.retina.engine.tensor.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reshape's target resolution: 0 copies (or is literal with allowzero), -1 is inferred. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReshapeTargetTest {

    private static final OpContext CTX = new OpContext("r", "Reshape", 14, Attributes.empty(), List.of(),
            List.of(), 1, Activation.NONE, new ScalarKernels(), new HashMap<>());

    private static Shape target(Shape in, boolean allowZero, long... spec) {
        return Reshape.target(CTX, in, spec, allowZero);
    }

    @Test
    void zeroCopiesTheInputDimensionUnlessAllowZero() {
        assertThat(target(Shape.of(2, 3, 4), false, 0, 0, -1)).isEqualTo(Shape.of(2, 3, 4));
        assertThat(target(Shape.of(2, 3, 4), false, 0, -1)).isEqualTo(Shape.of(2, 12));
        assertThat(target(Shape.of(0, 3), true, 0, 3)).isEqualTo(Shape.of(0, 3));
        assertThat(target(Shape.of(2, 3, 4), false, -1)).isEqualTo(Shape.of(24));
        assertThat(target(Shape.of(2, 3, 4), false, 4, -1, 2)).isEqualTo(Shape.of(4, 3, 2));
    }

    @Test
    void invalidTargetsAreLoadErrors() {
        assertThatThrownBy(() -> target(Shape.of(2, 3, 4), false, -1, -1))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("more than one -1");
        assertThatThrownBy(() -> target(Shape.of(2, 3, 4), false, 5, -1))
                .hasMessageContaining("cannot reshape [2, 3, 4] (24 elements) to [5, -1]");
        assertThatThrownBy(() -> target(Shape.of(2, 3, 4), true, 0, -1))
                .hasMessageContaining("cannot reshape");
        assertThatThrownBy(() -> target(Shape.of(2), false, 1, 0, 2))
                .hasMessageContaining("copies dimension 1 (0) but the input [2] has rank 1");
        assertThatThrownBy(() -> target(Shape.of(2), false, -3, 2)).hasMessageContaining("invalid dimension -3");
    }
}
