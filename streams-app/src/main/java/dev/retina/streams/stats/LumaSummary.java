package dev.retina.streams.stats;

import dev.retina.engine.image.DecodedImage;

/**
 * Brightness and contrast of a decoded image: the mean and the population standard deviation of its ITU-R 601 luma
 * ({@code (299 R + 587 G + 114 B) / 1000}, scaled to [0, 1]) over all pixels. The mean equals
 * {@link DecodedImage#meanBrightness()}; the contrast is at most 0.5 (half the pixels black, half white).
 *
 * @param brightness mean luma, in [0, 1]
 * @param contrast   standard deviation of the luma, in [0, 0.5]
 */
public record LumaSummary(double brightness, double contrast) {

    /** One pass over the pixels with exact integer sums (a 40-megapixel image stays far below overflow). */
    public static LumaSummary of(DecodedImage image) {
        byte[] rgb = image.pixels();
        long sum = 0;
        double sumSq = 0;
        for (int i = 0; i < rgb.length; i += 3) {
            long y = 299L * (rgb[i] & 0xFF) + 587L * (rgb[i + 1] & 0xFF) + 114L * (rgb[i + 2] & 0xFF);
            sum += y;
            sumSq += (double) (y * y);
        }
        double n = (double) image.width() * image.height();
        double scale = 1000.0 * 255.0;
        double mean = sum / n;
        double variance = Math.max(0, sumSq / n - mean * mean);
        double brightness = Math.min(1, mean / scale);
        double contrast = Math.min(1, Math.sqrt(variance) / scale);
        return new LumaSummary(brightness, contrast);
    }
}
