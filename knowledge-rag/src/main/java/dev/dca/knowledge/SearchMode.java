package dev.dca.knowledge;

import java.util.Locale;

/** How a query is matched: lexical (BM25), semantic (vector kNN) or both fused. */
public enum SearchMode {
    BM25,
    DENSE,
    HYBRID;

    /** Parses {@code bm25|dense|hybrid} (any case); the message names the accepted values. */
    public static SearchMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown search mode '" + s + "' (expected bm25, dense or hybrid)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
