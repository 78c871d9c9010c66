package dev.retina.engine.model;

/** A JSON document is not well-formed; the message names the 1-based line and column and what was expected. */
public final class JsonFormatException extends RuntimeException {

    private final int line;
    private final int column;

    public JsonFormatException(String message, int line, int column) {
        super("line " + line + ", column " + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    /** 1-based line of the error. */
    public int line() {
        return line;
    }

    /** 1-based column of the error (in UTF-16 code units from the start of the line). */
    public int column() {
        return column;
    }
}
