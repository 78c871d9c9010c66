package dev.retina.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DatasetSpecTest {

    @Test
    void parsesSyntheticAndIdx() {
        assertThat(DatasetSpec.parse("synthetic")).isInstanceOf(DatasetSpec.Synthetic.class);
        assertThat(DatasetSpec.parse(" idx:some/dir ")).isEqualTo(new DatasetSpec.Idx(Path.of("some/dir")));
        assertThat(DatasetSpec.parse("idx:a").toString()).isEqualTo("idx:a");
    }

    @Test
    void syntheticOpensSeededShapes() {
        LabeledDataset d = DatasetSpec.parse("synthetic").open(DatasetSpec.Split.TEST, 5, 12);
        assertThat(d.size()).isEqualTo(12);
        assertThat(((SyntheticShapes) d).seed()).isEqualTo(5);
        assertThatThrownBy(() -> DatasetSpec.parse("synthetic").open(DatasetSpec.Split.TRAIN, 1, 0))
                .hasMessageContaining("positive image count, found 0");
    }

    @Test
    void rejectsUnknownSpecs() {
        assertThatThrownBy(() -> DatasetSpec.parse("mnist"))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("expected a dataset 'synthetic' or 'idx:DIR', found 'mnist'");
        assertThatThrownBy(() -> DatasetSpec.parse("idx:")).hasMessageContaining("expected a directory after 'idx:'");
        assertThatThrownBy(() -> DatasetSpec.parse(" ")).hasMessageContaining("found nothing");
    }

    @Test
    void subsetLimitsSize() {
        SyntheticShapes s = new SyntheticShapes(1, 10, 16);
        Subset sub = new Subset(s, 4);
        assertThat(sub.size()).isEqualTo(4);
        assertThat(sub.label(3)).isEqualTo(s.label(3));
        assertThatThrownBy(() -> sub.label(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new Subset(s, 11)).hasMessageContaining("[0, 10], found 11");
    }
}
