package dev.dca.knowledge;

import java.util.Locale;

/**
 * How hybrid search merges the BM25 and the dense candidate lists.
 *
 * <ul>
 *   <li>{@link #RRF}: reciprocal rank fusion, {@code sum 1/(60 + rank)}; ignores score magnitudes.
 *   <li>{@link #NORMALIZED}: each list's scores min-max normalised to [0,1] over its candidates, then
 *       {@code w * dense + (1 - w) * bm25} (a document missing from a list gets 0 there). Keeps the information
 *       that one hit is far better than the next, which RRF throws away.
 * </ul>
 */
public enum Fusion {
    RRF,
    NORMALIZED;

    public static Fusion parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown fusion '" + s + "' (expected rrf or normalized)");
        }
    }
}
