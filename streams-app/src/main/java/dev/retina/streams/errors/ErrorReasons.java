package dev.retina.streams.errors;

import dev.retina.engine.image.ImageDecodeException;
import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.registry.WireFormatException;

/**
 * Maps the failures of the libraries the pipeline uses onto the frozen dead-letter reason codes
 * ({@link ErrorReason}, defined by the DeadLetter schema).
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>failure</th><th>reason</th></tr>
 *   <tr><td>any {@link WireFormatException} (empty, too short, bad magic, unknown schema id, incompatible
 *       writer, truncated, malformed body, trailing bytes), or a null value</td><td>DESERIALIZATION</td></tr>
 *   <tr><td>{@link ImageDecodeException} UNSUPPORTED_FORMAT</td><td>UNSUPPORTED_FORMAT</td></tr>
 *   <tr><td>{@link ImageDecodeException} EMPTY (the image field holds no bytes) and CORRUPT_IMAGE</td>
 *       <td>CORRUPT_IMAGE</td></tr>
 *   <tr><td>{@link ImageDecodeException} IMAGE_TOO_LARGE (bytes or header pixels over the limits)</td>
 *       <td>IMAGE_TOO_LARGE</td></tr>
 *   <tr><td>a failure while building the input tensor</td><td>PREPROCESSING</td></tr>
 *   <tr><td>a failure of the forward pass or unusable model output</td><td>INFERENCE</td></tr>
 *   <tr><td>inference past {@code inference.timeout.ms}</td><td>TIMEOUT</td></tr>
 *   <tr><td>no model loaded</td><td>MODEL_UNAVAILABLE</td></tr>
 *   <tr><td>anything unexpected</td><td>UNKNOWN</td></tr>
 * </table>
 */
public final class ErrorReasons {

    private ErrorReasons() {
    }

    /** The reason code of an image decoding failure. */
    public static ErrorReason of(ImageDecodeException e) {
        return switch (e.reason()) {
            case UNSUPPORTED_FORMAT -> ErrorReason.UNSUPPORTED_FORMAT;
            case EMPTY, CORRUPT_IMAGE -> ErrorReason.CORRUPT_IMAGE;
            case IMAGE_TOO_LARGE -> ErrorReason.IMAGE_TOO_LARGE;
        };
    }

    /** The reason code of a wire-format failure: always DESERIALIZATION (the message keeps the detailed reason). */
    public static ErrorReason of(WireFormatException e) {
        return ErrorReason.DESERIALIZATION;
    }

    /** The first {@link WireFormatException} in the cause chain of {@code e}, or null. */
    public static WireFormatException wireFormatCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof WireFormatException w) {
                return w;
            }
        }
        return null;
    }
}
