package dev.retina.streams;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.retina.engine.image.ImageFileFormat;

/**
 * The image format an ImageRecord's {@code contentType} declares. The pipeline checks a declared format against
 * the file signature (ImageRecord's contract); content types that name none of the four formats (empty,
 * {@code application/octet-stream}, ...) declare nothing and leave the decision to the signature alone.
 */
final class ContentTypes {

    private static final Map<String, ImageFileFormat> DECLARED = Map.of(
        "image/jpeg", ImageFileFormat.JPEG,
        "image/jpg", ImageFileFormat.JPEG,
        "image/pjpeg", ImageFileFormat.JPEG,
        "image/png", ImageFileFormat.PNG,
        "image/gif", ImageFileFormat.GIF,
        "image/bmp", ImageFileFormat.BMP,
        "image/x-bmp", ImageFileFormat.BMP,
        "image/x-ms-bmp", ImageFileFormat.BMP);

    private ContentTypes() {
    }

    /** The format {@code contentType} names, ignoring case and parameters ({@code ;charset=...}); may be empty. */
    static Optional<ImageFileFormat> declared(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
            .toLowerCase(Locale.ROOT);
        return Optional.ofNullable(DECLARED.get(type));
    }
}
