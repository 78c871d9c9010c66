package dev.retina.engine.kernel;

/** The elementwise arithmetic of Add, Sub, Mul and Div. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV;

    public float apply(float a, float b) {
        switch (this) {
            case ADD:
                return a + b;
            case SUB:
                return a - b;
            case MUL:
                return a * b;
            case DIV:
                return a / b;
            default:
                throw new IllegalStateException("unhandled " + this);
        }
    }
}
