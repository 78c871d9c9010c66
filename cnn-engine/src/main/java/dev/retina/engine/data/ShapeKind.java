package dev.retina.engine.data;

import java.util.Locale;

/** The classes of {@link SyntheticShapes}, in label-index order. */
public enum ShapeKind {
    CIRCLE,
    SQUARE,
    TRIANGLE,
    STAR,
    CROSS,
    RING,
    STRIPES,
    CHECKERBOARD;

    /** The class name used in labels.txt and as the folder name: the lower-case constant name. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
