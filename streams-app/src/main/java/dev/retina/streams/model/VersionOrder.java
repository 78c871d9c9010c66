package dev.retina.streams.model;

import java.math.BigInteger;
import java.util.Comparator;

/**
 * Orders model versions the way people number them: the strings are split into runs of digits and runs of other
 * characters, digit runs compare as numbers ({@code 2 < 10}, {@code 1.9 < 1.10}), other runs compare as text, and a
 * version that is a prefix of another sorts first ({@code 1.0 < 1.0.1}). Two versions that differ only in leading
 * zeros ({@code 7} and {@code 007}) fall back to plain string order so that the order stays total and consistent
 * with equals.
 */
public final class VersionOrder implements Comparator<String> {

    public static final VersionOrder INSTANCE = new VersionOrder();

    private VersionOrder() {
    }

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            boolean da = Character.isDigit(a.charAt(i));
            boolean db = Character.isDigit(b.charAt(j));
            int ei = runEnd(a, i, da);
            int ej = runEnd(b, j, db);
            int c;
            if (da && db) {
                c = new BigInteger(a.substring(i, ei)).compareTo(new BigInteger(b.substring(j, ej)));
            } else if (da != db) {
                // A number sorts before text at the same position ("1.2" < "1.beta").
                c = da ? -1 : 1;
            } else {
                c = a.substring(i, ei).compareTo(b.substring(j, ej));
            }
            if (c != 0) {
                return c;
            }
            i = ei;
            j = ej;
        }
        if (i < a.length() || j < b.length()) {
            return i < a.length() ? 1 : -1;
        }
        return a.compareTo(b);
    }

    private static int runEnd(String s, int from, boolean digits) {
        int k = from;
        while (k < s.length() && Character.isDigit(s.charAt(k)) == digits) {
            k++;
        }
        return k;
    }
}
