package dev.retina.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ShapeTensorTest {

    @Test
    void shapeBasics() {
        Shape s = Shape.of(1, 3, 224, 224);
        assertThat(s.rank()).isEqualTo(4);
        assertThat(s.dim(1)).isEqualTo(3);
        assertThat(s.dim(-1)).isEqualTo(224);
        assertThat(s.size()).isEqualTo(150_528L);
        assertThat(s.size(2, 4)).isEqualTo(50_176L);
        assertThat(s).hasToString("[1, 3, 224, 224]").isEqualTo(Shape.of(1, 3, 224, 224));
        assertThat(Shape.scalar().size()).isEqualTo(1);
        assertThat(Shape.of(-1, 3).size()).isEqualTo(-1);
        assertThat(Shape.of(-1, 3).isStatic()).isFalse();
        assertThatThrownBy(() -> Shape.of(2, -5)).hasMessageContaining("found -5");
    }

    @Test
    void shapeIsImmutable() {
        int[] dims = {2, 3};
        Shape s = Shape.of(dims);
        dims[0] = 9;
        s.dims()[1] = 9;
        assertThat(s).isEqualTo(Shape.of(2, 3));
    }

    @Test
    void tensorBasics() {
        float[] data = {0, 1, 2, 3, 4, 5};
        Tensor t = Tensor.of(Shape.of(2, 3), data);
        assertThat(t.data()).isSameAs(data);
        assertThat(t.get(1, 2)).isEqualTo(5f);
        assertThat(Tensor.zeros(Shape.of(2, 2)).data()).containsExactly(0, 0, 0, 0);
        assertThatThrownBy(() -> Tensor.of(Shape.of(2, 2), data)).hasMessageContaining("needs 4 elements, found 6");
        assertThatThrownBy(() -> t.get(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.get(0)).hasMessageContaining("rank 1");
        assertThatThrownBy(() -> Tensor.zeros(Shape.of(-1, 2))).hasMessageContaining("fully known shape");
    }
}
